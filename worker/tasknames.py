"""The Celery task names: the one place they are spelled (the watcher sends by name, workers register them).

A leaf module with no imports, so the watcher can use it without pulling in the parser or Celery.
"""

PREFIX = "nianbao."
INGEST = "nianbao.ingest"
INGEST_BATCH = "nianbao.ingest_batch"
ALERT_REPORT = "nianbao.alert_report"
ALERT_QUARANTINE = "nianbao.alert_quarantine"
ALERT_FLUSH = "nianbao.alert_flush"
RECHECK = "nianbao.recheck"
REMIND = "nianbao.remind"
INGEST_BLOB = "nianbao.ingest_blob"
