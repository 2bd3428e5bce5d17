"""Rules of the `dates` family (one rule per module)."""
