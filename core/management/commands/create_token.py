"""Issue an API token for a service account and print its secret, the only time it is shown."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.models import User
from core.tokens import token_create


class Command(BaseCommand):
    help = "Create an API token for a service account: create_token USERNAME [--name PURPOSE]"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="what the token is for")

    def handle(self, *args, **options):
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"No user named {options['username']!r}.") from None
        try:
            token, secret = token_create(user=user, name=options["name"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stderr.write(f"Token {token.prefix}… created for {user.username}; store it now, it is not shown again.")
        self.stdout.write(secret)
