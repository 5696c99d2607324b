"""Grumbles (抱怨, seed 001 table 5): the handling of a hot alert that was not turned into a case."""
