"""Fault-injection and hostile-input tests (issue 10), marked ``faults`` so they can run on their own."""
