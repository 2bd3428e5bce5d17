"""Alert emails on failed checks and quarantined files (see docs/alerts.md).

    models.py   ReportAlert / QuarantineAlert, findings fingerprint
    compose.py  Chinese multipart (text + HTML) messages: report, update, resolved, quarantine, digest, test
    routing.py  recipients from settings.alert_routes / alert_recipients
    ledger.py   never twice; new / update / resolved; digest windows
    digest.py   flush a recipient: singles, or one digest above digest_threshold
    smtp.py     plain / STARTTLS / implicit TLS, AUTH, timeouts; transient vs permanent failures
    source.py   load alerts from the core tables
    task.py     Celery tasks nianbao.alert_report / alert_quarantine / alert_flush

Submodules are imported where used, so importing this package stays light.
"""
