"""Rules of the `cells` family (one rule per module)."""
