"""Whether an alert task could mail anything: the ingest sends ``alert_report`` / ``alert_quarantine`` only then.

The alert tasks decide what to mail (worker/alerts/ledger.py); this module answers the cheaper question
the ingest asks inside its store transaction: *could* the task record anything? The answer errs on the
side of sending (a task that then records nothing costs a task; a task not sent loses an alert), so it
is "no" only when one of these is certain:

* alerts are disabled (``alerts_enabled = false``: the task would return at once);
* a report version has nothing alertable (no failed error finding, nor a failed warning with
  ``alert_on_warnings``, and its status is not ``needs_review``, which is mailed as a request for the
  original) and no ledger row exists for its content (the only other message the task sends
  is "resolved", to those told about this very version before);
* nobody can receive it: no registered channel has default recipients, no route names recipients
  on that channel (for a quarantine: no route that can match a quarantine, see routing.py), and, for a
  report, no region sends to the bodies' own contacts (``body_contact_regions``).

Reviews ("not an error") and routing conditions only narrow the recipients further, so they are ignored
here: ignoring them can only send a task that then records nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from worker.alerts.channels import EMAIL, registered
from worker.alerts.routing import validate_routes
from worker.settings import Settings
from worker.store.ops_models import AlertLedger


def _anyone(settings: Settings, *, kind: str) -> bool:
    """Could any registered channel name a recipient for an alert of ``kind`` ("report" or "quarantine")?"""
    routes = settings.alert_routes
    validate_routes(routes)  # a bad route is the task's ConfigError, not a silent skip here
    if kind == "report" and settings.body_contact_regions:
        return True  # the body's own contact may be a recipient (worker/alerts/sendtime.py)
    for channel in registered():
        if list(channel.default_recipients(settings)):
            return True
        for route in routes:
            if route.get("channel", EMAIL) != channel.name or route.get("kind") not in (None, kind):
                continue
            if kind == "quarantine" and (route.get("rules") or route.get("severity") or route.get("organ_prefix")):
                continue  # routing.recipients_for_quarantine never matches these
            return True
    return False


def report_may_alert(
    session: Session, settings: Settings, *, sha256: str, errors: int, warnings: int, status: str = "ok"
) -> bool:
    """Could ``alert_report`` for the report version ``sha256`` (with these counts and status) record anything?"""
    if not settings.alerts_enabled:
        return False
    alertable = errors > 0 or status == "needs_review" or (settings.alert_on_warnings and warnings > 0)
    if not alertable:  # only a "resolved" is possible, and only after an alert about this very content
        known = session.exec(select(sa.literal(1)).where(AlertLedger.content_sha256 == sha256).limit(1)).first()
        return known is not None
    return _anyone(settings, kind="report")


def quarantine_may_alert(settings: Settings) -> bool:
    """Could ``alert_quarantine`` record anything with these settings?"""
    return settings.alerts_enabled and _anyone(settings, kind="quarantine")
