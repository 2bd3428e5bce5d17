"""Helpers the rules share (table arithmetic, prose reading, deadlines, history); no rule lives here."""
