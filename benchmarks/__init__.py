"""Tools for measuring the product, not part of it: the synthetic-data generator, the benchmarks and the
load test's fixtures. Installed by the local and test settings only, never by production."""
