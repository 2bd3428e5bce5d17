"""Rules of the `reviews` family (one rule per module)."""
