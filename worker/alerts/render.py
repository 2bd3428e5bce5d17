"""Render an ``AlertMessage`` through the Jinja2 templates in worker/alerts/templates.

``*.html.j2`` templates are autoescaped: every value from a report (body names, file names, messages,
quarantine reasons) is untrusted. Values are escaped with ``html.escape`` so the entities (``&quot;``,
``&#x27;``) stay those of the mails sent before the templates. ``*.txt.j2`` templates are plain text.
"""

from __future__ import annotations

import html
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from worker.alerts.message import AlertMessage


def _escape_html(value: Any) -> Any:
    """``finalize`` hook: escape a value as ``html.escape`` does; markup the template made stays as is."""
    if value is None or isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value)))


@cache
def _environment(*, html_output: bool) -> Environment:
    return Environment(
        loader=PackageLoader("worker.alerts", "templates"),
        autoescape=select_autoescape(
            enabled_extensions=("html.j2",), default_for_string=False, default=False
        ),
        finalize=_escape_html if html_output else None,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(message: AlertMessage, template: str) -> str:
    """Render ``message`` with ``templates/<template>`` (e.g. ``message.html.j2``); HTML is autoescaped."""
    env = _environment(html_output=template.endswith(".html.j2"))
    return env.get_template(template).render(message=message)
