"""Alerts on failed checks and quarantined files, over one or more channels (see docs/alerts.md).

    models.py    ReportAlert / QuarantineAlert, findings fingerprint
    message.py   AlertMessage: the channel-neutral message (facts, finding groups, digest lines, links)
    compose.py   compose it once, in Chinese: report, update, resolved, quarantine, digest, test
    render.py    Jinja2 rendering through templates/*.txt.j2 / *.html.j2 (HTML autoescaped)
    channels/    the Channel interface and registry; email.py (SMTP) is the default channel
    routing.py   recipients per channel from settings.alert_routes / the channel's defaults
    ledger.py    never twice; new / update / resolved; digest windows (per channel and recipient)
    digest.py    flush a recipient: singles, or one digest above digest_threshold
    smtp.py      plain / STARTTLS / implicit TLS, AUTH, timeouts; transient vs permanent failures
    source.py    load alerts from the core tables
    sendtime.py  at send time: route by the current settings, take back stale claims, flush every due target
    task.py      Celery tasks nianbao.alert_report / alert_quarantine / alert_flush (retries: delivery, database)

Submodules are imported where used, so importing this package stays light.
"""
