"""Rules whose id begins with `TITLE_` (one rule per module, named after its id)."""
