"""Rules whose id begins with `SEC6_` (one rule per module, named after its id)."""
