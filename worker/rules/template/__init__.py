"""Rules of the `template` family (one rule per module)."""
