"""Rules whose id begins with `YEAR_` (one rule per module, named after its id)."""
