from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """The generator, benchmark and load-test commands; no models, so no migrations and nothing to deploy."""

    name = "benchmarks"
    verbose_name = "Benchmarks"
