"""Rules whose id begins with `NUM_` (one rule per module, named after its id)."""
