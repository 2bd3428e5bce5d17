"""The registry of bodies that must publish a report, and the matching of stored reports to them.

    sheet.py     reading a CSV / XLSX registry file (header found, merged cells, full-width text, GBK)
    bodies.py    import (checked whole, dry run, one transaction) and export of the registry
    matching.py  pure matching of a report to a body (path, names, short names within a region)
    assign.py    matching in the database: match_stored (the ingest's hook), match_all, resolve

Reading the registry, the roster and the roll-up goes through the read layer (worker/store/queries).
"""
