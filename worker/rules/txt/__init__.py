"""Rules whose id begins with `TXT_` (one rule per module, named after its id)."""
