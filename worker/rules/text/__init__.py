"""Rules of the `text` family (one rule per module)."""
