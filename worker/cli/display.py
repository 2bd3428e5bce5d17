"""Formatting helpers for the CLI: display width of Chinese text, aligned tables, the zh-CN words users read.

The words follow the project glossary (docs: 通过/未通过, 错误/警告, 无法判定, 第 n 版).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import click

from worker.rules.base import Finding

REPORT_STATUS_ZH = {"ok": "通过", "failed": "未通过"}
SEVERITY_ZH = {"error": "错误", "warning": "警告"}
NOT_ASSESSABLE_ZH = "无法判定"


def width(text: str) -> int:
    """Display width (CJK characters take two columns)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print rows under headers, columns aligned by display width."""
    widths = [max(width(h), *(width(row[i]) for row in rows)) for i, h in enumerate(headers)]
    for line in [list(headers), *rows]:
        click.echo(
            "  ".join(cell + " " * (w - width(cell)) for cell, w in zip(line, widths, strict=True)).rstrip()
        )


def report_status_zh(status: str) -> str:
    """The stored verdict in Chinese."""
    return REPORT_STATUS_ZH.get(status, status)


def finding_kind_zh(finding: Finding) -> str:
    """错误 / 警告, or 无法判定 for a finding that could not be assessed."""
    return (
        NOT_ASSESSABLE_ZH
        if finding.status == "not_assessable"
        else SEVERITY_ZH.get(finding.severity.value, "")
    )


def template_zh(template: str) -> str:
    """2021版 / 2019版, or 未识别 when the parser could not tell."""
    return f"{template}版" if template.isdigit() else "未识别"


def value_zh(value: object) -> str:
    """An expected or actual value as printed: numbers without a trailing .0, lists joined, None as "-"."""
    if value is None:
        return "-"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "、".join(value_zh(v) for v in value)
    return str(value)
