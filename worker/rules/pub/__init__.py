"""Rules whose id begins with `PUB_` (one rule per module, named after its id)."""
