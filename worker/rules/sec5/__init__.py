"""Rules whose id begins with `SEC5_` (one rule per module, named after its id)."""
