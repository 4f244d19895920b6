"""Test settings: fast hashing; the database and broker still come from the environment."""

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS, MIDDLEWARE, env

SECRET_KEY = env.str("SECRET_KEY", default="test-only-not-secret")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests serve static files through the finders; no collectstatic output is needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]
# The generator and benchmarks have tests of their own; production settings leave the app out.
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]

# The replica is a test mirror of the default database: with DATABASE_REPLICA_URL (CI's standby,
# .ci/replica) it is the real standby reading the test database that streams from the primary;
# without, a second connection to the default one. Routing is off unless a test turns REPLICA_READS
# on: a rolled-back test's rows are visible to its own connection only.
DATABASES["replica"] = {**DATABASES.get("replica", DATABASES["default"]), "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
REPLICA_READS = False
