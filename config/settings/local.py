"""Development defaults: the embedded SQLite database, debug on, a throwaway key."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="local-development-only-not-secret")
# The generator, benchmarks and load-test fixtures (manage.py generate_data, bench, …); not in production.
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]
