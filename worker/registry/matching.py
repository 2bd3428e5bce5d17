"""Matching stored reports to registered bodies, by administrative path and names (pure part).

Steps, first decisive one wins (each narrows its candidates to bodies active in the report's year, then to the
report's region when that still leaves some; one candidate is a match, several are ambiguous):

1. a remembered manual resolution of the report's identity;
2. the full administrative path (the report's identity key equals the body's path);
3. the full name or a former name equal to the report's organ;
4. the report's partial path as the tail of a body's path ("将乐县/南口镇");
5. a short name (or the last path segment) equal to the report's organ, its organ without "人民政府" /
   "办事处", or its last path segment, looked up **only within the region** the report came from (its inbox
   sub-folder when that mirrors a path, else ``settings.default_region``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class MatchState(StrEnum):
    """Whether a report found its body."""

    MATCHED = "matched"
    AMBIGUOUS = "ambiguous"  # several bodies fit: a person chooses (``nianbao bodies resolve``)
    UNMATCHED = "unmatched"  # no body fits


class MatchMethod(StrEnum):
    """How a match was found."""

    MANUAL = "manual"
    PATH = "path"
    NAME = "name"
    PATH_TAIL = "path_tail"
    SHORT_NAME = "short_name"
    NONE = "none"


def key(text: str) -> str:
    """Comparison form of a name: NFKC (full-width made half-width), without any whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def split_region(region: str | None) -> list[str]:
    """"福建省/三明市/将乐县" -> segments (comparison form); [] for None or blank."""
    text = unicodedata.normalize("NFKC", region or "").replace("\\", "/")
    return [key(s) for s in text.split("/") if key(s)]


def within(path: Sequence[str], region: Sequence[str]) -> bool:
    """Whether ``region``'s segments appear contiguously, as whole segments, in ``path`` ([] is everywhere)."""
    n = len(region)
    return n == 0 or any(list(path[i : i + n]) == list(region) for i in range(len(path) - n + 1))


@dataclass(frozen=True)
class BodyRecord:
    """What matching needs of a registered body."""

    id: int
    name: str
    path: tuple[str, ...]  # comparison form
    short_names: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None

    def active(self, year: int | None) -> bool:
        if year is None:
            return True
        return (self.year_from is None or self.year_from <= year) and (self.year_to is None or year <= self.year_to)


@dataclass
class BodyIndex:
    """The registry, indexed for matching."""

    bodies: list[BodyRecord]
    by_path: dict[str, list[BodyRecord]] = field(default_factory=dict)
    by_name: dict[str, list[BodyRecord]] = field(default_factory=dict)
    by_short: dict[str, list[BodyRecord]] = field(default_factory=dict)
    by_last: dict[str, list[BodyRecord]] = field(default_factory=dict)

    @classmethod
    def build(cls, bodies: Iterable[BodyRecord]) -> BodyIndex:
        index = cls(bodies=list(bodies))
        for b in index.bodies:
            index.by_path.setdefault("/".join(b.path), []).append(b)
            for name in {key(b.name), *(key(n) for n in b.former_names)}:
                index.by_name.setdefault(name, []).append(b)
            for name in {key(n) for n in b.short_names} | {b.path[-1]}:
                index.by_short.setdefault(name, []).append(b)
            index.by_last.setdefault(b.path[-1], []).append(b)
        return index

    def has_region(self, region: Sequence[str]) -> bool:
        """Whether any body lies in ``region`` (an inbox folder that mirrors no path is no region)."""
        return bool(region) and any(within(b.path, region) for b in self.bodies)


@dataclass(frozen=True)
class MatchResult:
    """The outcome for one report."""

    state: MatchState
    method: MatchMethod
    body_id: int | None = None
    candidates: tuple[int, ...] = ()


def _decide(found: Sequence[BodyRecord], method: MatchMethod, year: int | None,
            region: Sequence[str]) -> MatchResult | None:  # fmt: skip
    unique = list({b.id: b for b in found}.values())
    if not unique:
        return None
    for narrow in (lambda b: b.active(year), lambda b: within(b.path, region)):
        kept = [b for b in unique if narrow(b)]
        unique = kept or unique
    if len(unique) == 1:
        return MatchResult(MatchState.MATCHED, method, unique[0].id)
    return MatchResult(MatchState.AMBIGUOUS, method, None, tuple(sorted(b.id for b in unique)))


def _names(organ: str | None, segments: Sequence[str]) -> list[str]:
    names = []
    if organ:
        names.append(key(organ))
        for suffix in ("人民政府", "办事处"):
            if names[0].endswith(suffix) and len(names[0]) > len(suffix):
                names.append(names[0].removesuffix(suffix))
    if segments:
        names.append(segments[-1])
    return list(dict.fromkeys(names))


def match_report(
    index: BodyIndex,
    identity_key: str | None,
    organ: str | None,
    *,
    year: int | None,
    region: Sequence[str] = (),
    resolved_body_id: int | None = None,
) -> MatchResult:
    """Which registered body a report belongs to (see the module docstring for the steps).

    Args:
        index: the registry.
        identity_key: the report's administrative path joined by "/" (or its organ when no path is known).
        organ: the issuing body as printed.
        year: the report year (bodies inactive that year are dropped when others fit).
        region: segments of the region the report came from (comparison form); short names need one.
        resolved_body_id: a person's earlier answer for this identity.
    """
    ids = {b.id for b in index.bodies}
    if resolved_body_id is not None and resolved_body_id in ids:
        return MatchResult(MatchState.MATCHED, MatchMethod.MANUAL, resolved_body_id)
    segments = split_region(identity_key)
    steps: list[tuple[MatchMethod, list[BodyRecord]]] = [
        (MatchMethod.PATH, index.by_path.get("/".join(segments), []) if len(segments) > 1 else []),
        (MatchMethod.NAME, [b for n in _names(organ, []) for b in index.by_name.get(n, [])]),
        (MatchMethod.PATH_TAIL, [b for b in index.by_last.get(segments[-1], []) if len(segments) > 1
                                 and tuple(b.path[-len(segments):]) == tuple(segments)] if segments else []),
    ]  # fmt: skip
    for method, found in steps:
        decided = _decide(found, method, year, region)
        if decided is not None:
            return decided
    shorts = [b for n in _names(organ, segments) for b in index.by_short.get(n, [])]
    if region:
        decided = _decide([b for b in shorts if within(b.path, region)], MatchMethod.SHORT_NAME, year, region)
        if decided is not None:
            return decided
    elif shorts:  # a short name without a region is never matched: a person chooses
        unique = tuple(sorted({b.id for b in shorts}))
        return MatchResult(MatchState.AMBIGUOUS, MatchMethod.SHORT_NAME, None, unique)
    return MatchResult(MatchState.UNMATCHED, MatchMethod.NONE)
