"""Import and export of the registry of bodies (``nianbao bodies import / export``).

An import is checked whole before anything is written: every bad row is reported with its line number, a body
listed twice names both lines, and the changes are applied in the caller's one transaction (or not at all).
Bodies are keyed by their administrative path and name; an import adds and updates, it never deletes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel
from sqlmodel import Session, select

from worker.registry.sheet import Column, SheetRow, clean, read_sheet
from worker.store.models import Body, utcnow

LEVELS = ("township", "county_department", "county_government")
_LEVEL_ZH = {
    "乡镇": "township", "街道": "township", "乡镇街道": "township", "乡镇(街道)": "township",
    "县级部门": "county_department", "部门": "county_department", "县直部门": "county_department",
    "县级政府": "county_government", "县级人民政府": "county_government", "县政府": "county_government",
    "区政府": "county_government",
}  # fmt: skip
_LIST_SPLIT = re.compile(r"[;,、|\s]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class BodyRow(BaseModel):
    """One body as a registry file describes it (cleaned and validated)."""

    line: int = 0
    name: str
    path: list[str]
    level: str
    short_names: list[str] = []
    former_names: list[str] = []
    contact_name: str | None = None
    contact_emails: list[str] = []
    year_from: int | None = None
    year_to: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        return "/".join(self.path), self.name


class RowError(BaseModel):
    """A row that cannot be imported, with its line in the file and the reason in Chinese."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.message}"


class ChangeKind(StrEnum):
    """What an import does to one body."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"

    @property
    def label_zh(self) -> str:
        return {"new": "新增", "updated": "更新", "unchanged": "不变"}[self.value]


class Change(BaseModel):
    """One row's effect: the body's key and, for an update, the columns that change."""

    line: int
    kind: ChangeKind
    path: str
    name: str
    fields: list[str] = []  # Chinese column names that differ


class ImportResult(BaseModel):
    """What an import did (or, in a dry run, would do), and the rows it could not use."""

    changes: list[Change]
    errors: list[RowError]
    applied: bool

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for c in self.changes if c.kind is kind)


def split_list(text: str) -> list[str]:
    """"a;b, c" -> ["a", "b", "c"] (full-width separators were made half-width by ``clean``)."""
    return [part for part in _LIST_SPLIT.split(text) if part]


def split_path(text: str) -> list[str]:
    """"福建省/三明市 / 将乐县" -> segments (also split on "\\" and ">")."""
    return [seg.strip() for seg in re.split(r"[/\\>]+", clean(text)) if seg.strip()]


def infer_level(name: str, path: Sequence[str]) -> str:
    """The level when the file leaves it blank: a county or district government, a township, else a department."""
    last = path[-1] if path else ""
    if name.endswith("人民政府") and last.endswith(("县", "区", "市")):
        return "county_government"
    if last.endswith(("镇", "乡", "街道")) or name.endswith("办事处"):
        return "township"
    return "county_department"


def _year(text: str, what: str) -> int | None:
    if not text:
        return None
    digits = text.removesuffix("年")
    if not digits.isdigit() or not 1990 <= int(digits) <= 2100:
        raise ValueError(f"{what}“{text}”不是年份")
    return int(digits)


def parse_row(row: SheetRow) -> BodyRow:
    """Validate one data row.

    Raises:
        ValueError: with the Chinese reason (the caller adds the line number).
    """
    v = row.values
    name = v.get(Column.NAME, "")
    if not name:
        raise ValueError("名称为空")
    path = split_path(v.get(Column.PATH, ""))
    if not path:
        raise ValueError("行政区划路径为空")
    level_text = v.get(Column.LEVEL, "")
    level = _LEVEL_ZH.get(level_text.replace(" ", ""), level_text.lower()) if level_text else infer_level(name, path)
    if level not in LEVELS:
        raise ValueError(f"层级“{level_text}”无法识别（应为 township 乡镇 / county_department 县级部门 / "
                         "county_government 县级政府）")  # fmt: skip
    emails = split_list(v.get(Column.CONTACT_EMAILS, ""))
    bad = [e for e in emails if not _EMAIL.match(e)]
    if bad:
        raise ValueError(f"联系邮箱“{bad[0]}”格式不正确")
    year_from = _year(v.get(Column.YEAR_FROM, ""), "起始年份")
    year_to = _year(v.get(Column.YEAR_TO, ""), "终止年份")
    if year_from and year_to and year_from > year_to:
        raise ValueError(f"起始年份 {year_from} 晚于终止年份 {year_to}")
    return BodyRow(
        line=row.line, name=name, path=path, level=level,
        short_names=split_list(v.get(Column.SHORT_NAMES, "")), former_names=split_list(v.get(Column.FORMER_NAMES, "")),
        contact_name=v.get(Column.CONTACT_NAME) or None, contact_emails=emails, year_from=year_from, year_to=year_to,
    )  # fmt: skip


def parse_file(path: Path) -> tuple[list[BodyRow], list[RowError]]:
    """The good rows and the errors of a registry file; a body listed twice is an error naming both lines.

    Raises:
        RegistryFileError: the file as a whole cannot be read.
    """
    rows: list[BodyRow] = []
    errors: list[RowError] = []
    first_line: dict[tuple[str, str], int] = {}
    for sheet_row in read_sheet(path):
        try:
            body = parse_row(sheet_row)
        except ValueError as exc:
            errors.append(RowError(line=sheet_row.line, message=str(exc)))
            continue
        if body.key in first_line:
            errors.append(RowError(line=body.line, message=f"与第 {first_line[body.key]} 行重复："
                                                          f"{body.key[0]} {body.name}"))  # fmt: skip
            continue
        first_line[body.key] = body.line
        rows.append(body)
    return rows, errors


_FIELDS: dict[str, Column] = {
    "level": Column.LEVEL, "short_names": Column.SHORT_NAMES, "former_names": Column.FORMER_NAMES,
    "contact_name": Column.CONTACT_NAME, "contact_emails": Column.CONTACT_EMAILS,
    "year_from": Column.YEAR_FROM, "year_to": Column.YEAR_TO,
}  # fmt: skip
_JSON_FIELDS = ("short_names", "former_names", "contact_emails")


def _stored_values(body: BodyRow) -> dict[str, object]:
    return {f: json.dumps(getattr(body, f), ensure_ascii=False) if f in _JSON_FIELDS else getattr(body, f)
            for f in _FIELDS}  # fmt: skip


def import_bodies(
    session: Session, rows: Sequence[BodyRow], errors: Sequence[RowError], *, dry_run: bool, skip_bad: bool = False
) -> ImportResult:
    """Add and update ``rows`` in the session's transaction, unless a dry run or a bad row forbids it.

    Args:
        session: open session (its transaction is the import's: the caller commits).
        rows: the good rows of the file.
        errors: its bad rows; any of them means nothing is applied unless ``skip_bad``.
        dry_run: only say what would change.
        skip_bad: apply the good rows even when some rows are bad.
    """
    existing = {(b.path, b.name): b for b in session.exec(select(Body))}
    changes: list[Change] = []
    apply = not dry_run and (skip_bad or not errors)
    now = utcnow()
    for body in rows:
        path, name = body.key
        values = _stored_values(body)
        stored = existing.get((path, name))
        if stored is None:
            changes.append(Change(line=body.line, kind=ChangeKind.NEW, path=path, name=name))
            if apply:
                session.add(Body(name=name, path=path, created_at=now, updated_at=now, **values))  # type: ignore[arg-type]
            continue
        differ = [f for f, value in values.items() if getattr(stored, f) != value]
        kind = ChangeKind.UPDATED if differ else ChangeKind.UNCHANGED
        changes.append(Change(line=body.line, kind=kind, path=path, name=name, fields=[_FIELDS[f].value for f in differ]))
        if apply and differ:
            for f in differ:
                setattr(stored, f, values[f])
            stored.updated_at = now
            session.add(stored)
    if apply:
        session.flush()
    return ImportResult(changes=changes, errors=list(errors), applied=apply)


def today_in(time_zone: str) -> dt.date:
    """Today's date in ``time_zone`` (an IANA name such as "Asia/Shanghai")."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(time_zone)).date()
