"""Rules about how a table was read (TABLE_*)."""
