"""Rules whose id begins with `T3_` (one rule per module, named after its id)."""
