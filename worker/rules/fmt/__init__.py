"""Rules whose id begins with `FMT_` (one rule per module, named after its id)."""
