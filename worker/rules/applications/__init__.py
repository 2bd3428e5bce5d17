"""Rules of the `applications` family (one rule per module)."""
