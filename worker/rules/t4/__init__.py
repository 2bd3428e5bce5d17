"""Rules whose id begins with `T4_` (one rule per module, named after its id)."""
