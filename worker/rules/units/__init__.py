"""Rules of the `units` family (one rule per module)."""
