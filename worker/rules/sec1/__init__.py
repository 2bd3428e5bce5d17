"""Rules whose id begins with `SEC1_` (one rule per module, named after its id)."""
