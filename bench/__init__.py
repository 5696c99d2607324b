"""The SPEC §12 benchmark: `bench.scale` builds the scale data set, `bench.run` measures (`make bench`)."""
