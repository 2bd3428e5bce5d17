"""Rules of the `cross_year` family (one rule per module)."""
