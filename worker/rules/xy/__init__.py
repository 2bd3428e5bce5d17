"""Rules whose id begins with `XY_` (one rule per module, named after its id)."""
