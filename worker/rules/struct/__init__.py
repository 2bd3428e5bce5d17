"""Rules whose id begins with `STRUCT_` (one rule per module, named after its id)."""
