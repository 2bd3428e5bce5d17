"""Rules whose id begins with `UNIT_` (one rule per module, named after its id)."""
