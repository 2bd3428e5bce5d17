"""Rules whose id begins with `BLANK_` (one rule per module, named after its id)."""
