"""Create the three separated administrators (三员) of a new install and print what each does next.

Passwords come from SYSTEM_ADMIN_PASSWORD, SECURITY_ADMIN_PASSWORD and AUDIT_ADMIN_PASSWORD when set
(automation); otherwise they are asked for at the terminal, or with --no-input generated and printed once.
Each is checked by the configured password validators. The command refuses to run twice.
"""

import getpass
import os
import secrets
import sys

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.accounts import administrator_password_check, administrators_create, administrators_existing
from core.models import User

ACCOUNTS = (
    # role, option, default username, environment variable with the password
    (User.Role.SYSTEM_ADMIN, "system", "sysadmin", "SYSTEM_ADMIN_PASSWORD"),
    (User.Role.SECURITY_ADMIN, "security", "secadmin", "SECURITY_ADMIN_PASSWORD"),
    (User.Role.AUDIT_ADMIN, "audit", "auditor", "AUDIT_ADMIN_PASSWORD"),
)


def _generated(role, username):
    # A 20-character URL-safe secret nearly always mixes three character classes; draw again if not.
    while True:
        password = secrets.token_urlsafe(15)
        try:
            administrator_password_check(role, username, password)
        except ValidationError:
            continue
        return password


class Command(BaseCommand):
    help = "Create the system, security and audit administrators of a new install (once) and print the next steps."
    stealth_options = ("stdin",)  # as createsuperuser: tests pass a terminal of their own

    def add_arguments(self, parser):
        for _role, option, default, _env in ACCOUNTS:
            parser.add_argument(f"--{option}-username", default=default, help=f"default: {default}")
        parser.add_argument(
            "--site-url", default="http://127.0.0.1:8000", help="the address users open, for the printed next steps"
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="do not prompt: take passwords from the environment, else generate and print them",
        )

    def handle(self, *args, **options):
        self.stdin = options.get("stdin", sys.stdin)
        names = {role: options[f"{option}_username"] for role, option, _default, _env in ACCOUNTS}
        # Refuse before asking for any password: a second run must change nothing.
        existing = administrators_existing(names.values())
        if existing:
            raise CommandError(f"Administrators already exist: {', '.join(sorted(existing))}. Nothing was created.")
        accounts, generated = {}, {}
        for role, _option, _default, env in ACCOUNTS:
            username = names[role]
            password = os.environ.get(env)
            if password:
                try:
                    administrator_password_check(role, username, password)
                except ValidationError as error:
                    raise CommandError(f"{env} ({username}): {' '.join(error.messages)} Nothing was created.") from None
            elif options["interactive"]:
                password = self._prompt(role, username)
            else:
                password = generated[username] = _generated(role, username)
            accounts[role] = (username, password)
        try:
            administrators_create(accounts)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self._report(names, generated, options["site_url"].rstrip("/"))

    def _prompt(self, role, username):
        if not (hasattr(self.stdin, "isatty") and self.stdin.isatty()):
            raise CommandError("Not a terminal: set the *_ADMIN_PASSWORD variables or use --no-input.")
        label = User.Role(role).label
        while True:
            password = getpass.getpass(f"Password for {username} ({label}): ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The two passwords do not match (两次输入的密码不匹配). Try again.")
                continue
            try:
                administrator_password_check(role, username, password)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
                continue
            return password

    def _report(self, names, generated, url):
        system, security, audit = (names[role] for role, *_rest in ACCOUNTS)
        write = self.stdout.write
        write(f"Created the three administrators: {system} (system), {security} (security), {audit} (audit).")
        if generated:
            write("Their passwords, shown this once; hand each to its holder, who changes it at first sign-in:")
            for username, password in generated.items():
                write(f"  {username} password: {password}")
        write("")
        write("Next steps, each by the administrator named (sign in at " + url + "/admin/):")
        write(f"1. {system} (system administrator) creates")
        write(f"   - the regions, province, then city, then county: {url}/admin/reforms/region/add/")
        write(f"   - the towns of each county: {url}/admin/reforms/town/add/")
        write(f"   - the accounts, each with its region (tick 服务账户 for another system): {url}/admin/core/user/add/")
        write(f"2. {security} (security administrator)")
        write(f"   - gives each new account its role (e.g. 县级编办录入员): {url}/admin/core/user/")
        write(f"   - issues a service account's API token, shown once: {url}/admin/core/apitoken/add/")
        write(f"3. {audit} (security auditor) reads and exports the audit log: {url}/admin/audit/auditentry/")
        write(f"Each administrator changes their own password at {url}/admin/password_change/.")
        if set(getattr(settings, "OTP_REQUIRED_ROLES", ())) & {role for role, *_rest in ACCOUNTS}:
            write(f"At first sign-in each enrols an authenticator app ({url}/accounts/otp/setup/).")
