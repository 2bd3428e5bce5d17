"""Counts stated in prose, read for TXT_TABLE_MISMATCH.

Precision first: a statement is read only when its wording is unambiguous ("收到政府信息公开申请12件",
"予以公开5件", "被申请行政复议2件", "未收到政府信息公开申请", "无行政复议、行政诉讼"). Anything vaguer, or a
clause that mixes topics (结转, 投诉, 纠错…), is skipped rather than risk inventing a contradiction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.parse.numerals import cn_int

NUM = r"(?P<pre>约|近|大约|超过|逾)?(?P<n>\d{1,6}|[零〇一二两三四五六七八九十]{1,3})(?P<approx>余|多)?"
UNIT = r"(?:件|起|宗|个|次)"

_SENTENCES = re.compile(r"[。；;！!？?\n]+")
_CLAUSE_SPLIT = re.compile(r"[，,：:（）()]")
_COUNT_IN_CLAUSE = re.compile(r"(?:\d+|[零〇一二两三四五六七八九十]{1,3})(?:余|多)?" + UNIT)

_COMBINED = re.compile(
    r"行政复议(?:和|及|与|、|或)(?:提起)?(?:行政)?诉讼(?:案件)?(?P<each>各)?(?:共|合计|均为|为)?" + NUM + UNIT
)
_REVIEW = re.compile(r"行政复议(?:申请|案件)?(?:共|合计|为)?" + NUM + UNIT)
_LITIGATION = re.compile(r"行政诉讼(?:案件)?(?:共|合计|为)?" + NUM + UNIT)
_NO_REVIEWS_VERB = re.compile(
    r"(?:未|没有)(?:发生|出现|收到|接到|产生|涉及|被申请|被提起|有)(?P<gap>[^\d]{0,14}?)"
    r"(?P<terms>行政复议(?:(?:和|及|与|、|或)(?:行政)?诉讼)?|行政诉讼)"
)
_NO_REVIEWS_DIRECT = re.compile(
    r"(?:无|未有)(?:因政府信息公开(?:工作)?而?(?:被申请|被提起|引起|引发|产生)?的?)?"
    r"(?P<terms>行政复议(?:(?:和|及|与|、|或)(?:行政)?诉讼)?|行政诉讼)"
)
_REVIEW_QUALIFIERS = re.compile(r"纠错|纠正|败诉|撤销|确认违法|维持|审结|结案|办结")

_NO_APPLICATIONS = re.compile(r"(?:未|没有)(?:收到|接到|受理)(?P<mid>[^\d]{0,30}?)申请(?!人)")
_SOME_OTHERS = re.compile(r"其[他它](?!组织)|别的|另外|再|新的|除")
_NO_APPLICATIONS_DIRECT = re.compile(r"无(?:政府)?(?:信息公开申请|依申请公开)")
_NEW_COUNT = re.compile(
    r"(?:收到|接到|新收|受理)(?P<mid>[^\d]{0,20}?)申请(?P<tail>[^\d]{0,6}?)(?:共|合计|为)?" + NUM + UNIT
)
_NEW_COUNT_BEFORE = re.compile(r"(?:收到|接到|新收|受理)了?" + NUM + UNIT + r"(?P<mid>[^\d]{0,12}?)申请")
_OFF_TOPIC = re.compile(r"复议|诉讼|投诉|举报|结转|办结|答复|处理|补正|主动")
# Between the verb and 申请 only words that name a disclosure application (信息, 公开) or none at all:
# "全年未收到行政许可申请" is about another kind of application.
_DISCLOSURE_KIND = re.compile(r"信息|公开|^[依任何相有关过的了该此类]*$")
# "同意公开或部分公开共81件": the count is of several outcomes together, not of the last one.
_JOINED = re.compile(r"(?:或|和|及|与|、)$")

_OUTCOMES = {
    "granted": re.compile(r"(?<!部分)(?<!不)予以公开(?:的)?(?:申请)?(?:共|为)?" + NUM + "件"),
    "partial": re.compile(r"部分公开(?:的)?(?:申请)?(?:共|为)?" + NUM + "件"),
    "withheld": re.compile(r"不予公开(?:的)?(?:申请)?(?:共|为)?" + NUM + "件"),
    "unavailable": re.compile(r"无法提供(?:的)?(?:申请)?(?:共|为)?" + NUM + "件"),
    "rejected": re.compile(r"不予处理(?:的)?(?:申请)?(?:共|为)?" + NUM + "件"),
}


@dataclass(frozen=True)
class Statement:
    """One count read from the prose.

    ``target`` is what it counts: new, granted, partial, withheld, unavailable, rejected, review,
    litigation or review+litigation. ``vague`` is "at_least" for "12余件" / "超过12件"; None when exact.
    """

    target: str
    value: int
    vague: str | None
    text: str  # the words as printed (whitespace removed)


def _number(match: re.Match[str]) -> tuple[int, str | None] | None:
    value = cn_int(match.group("n"))
    if value is None:
        return None
    pre, approx = match.group("pre"), match.group("approx")
    if pre in ("约", "近", "大约"):
        return None  # could be either side: never a contradiction we can prove
    vague = "at_least" if (approx or pre) else None
    return value, vague


def _terms_targets(terms: str) -> list[str]:
    targets = []
    if "复议" in terms:
        targets.append("review")
    if "诉讼" in terms:
        targets.append("litigation")
    return targets


def read_statements(text: str) -> list[Statement]:
    """All counts a text states, clause by clause (text may contain whitespace and line breaks)."""
    found: list[Statement] = []
    for sentence in _SENTENCES.split(text):
        if not _KEYWORDS.search(sentence):
            continue
        # "收到申请5件（其中上年结转1件）": the count may include carried-over ones; the sentence says too much
        mixes_years = "结转" in sentence or "上年" in sentence
        for clause in _CLAUSE_SPLIT.split(re.sub(r"\s+", "", sentence)):
            if clause:
                found.extend(s for s in _read_clause(clause) if not (mixes_years and s.target == "new"))
    return found


_KEYWORDS = re.compile(r"复议|诉讼|申请|公开|提供|处理")


def _read_clause(clause: str) -> list[Statement]:
    out: list[Statement] = []
    if not _KEYWORDS.search(clause):
        return out
    rest = clause
    # "尚未审结的行政复议1件", "行政诉讼被纠错1件": a part of the cases, not their total — never read
    has_cases = ("复议" in clause or "诉讼" in clause) and not _REVIEW_QUALIFIERS.search(clause)
    for match in _COMBINED.finditer(clause) if has_cases else ():
        number = _number(match)
        if number is not None:
            targets = ["review", "litigation"] if match.group("each") else ["review+litigation"]
            out.extend(Statement(t, number[0], number[1], match.group(0)) for t in targets)
        rest = rest.replace(match.group(0), "｜")
    for target, pattern in (("review", _REVIEW), ("litigation", _LITIGATION)) if has_cases else ():
        for match in pattern.finditer(rest):
            number = _number(match)
            if number is not None:
                out.append(Statement(target, number[0], number[1], match.group(0)))
    has_count = bool(_COUNT_IN_CLAUSE.search(clause))
    if has_cases and not has_count:
        for pattern in (_NO_REVIEWS_VERB, _NO_REVIEWS_DIRECT):
            none = pattern.search(clause)
            if none:
                out.extend(Statement(t, 0, None, none.group(0)) for t in _terms_targets(none.group("terms")))
                break
    if "结转" in clause or "上年" in clause:
        return out
    if "申请" in clause and not has_count:
        said = _NO_APPLICATIONS.search(clause)
        direct = _NO_APPLICATIONS_DIRECT.search(clause)
        if (
            said
            and _DISCLOSURE_KIND.search(said.group("mid"))
            and not _OFF_TOPIC.search(said.group("mid"))
            and not _SOME_OTHERS.search(clause)
        ):
            out.append(Statement("new", 0, None, said.group(0)))
        elif direct and not _OFF_TOPIC.search(clause):
            out.append(Statement("new", 0, None, direct.group(0)))
    for pattern in (_NEW_COUNT, _NEW_COUNT_BEFORE) if has_count and "申请" in clause else ():
        count = pattern.search(clause)
        if count is None:
            continue
        words = count.group("mid") + (count.groupdict().get("tail") or "")
        number = _number(count)
        if (
            number is not None
            and _DISCLOSURE_KIND.search(count.group("mid"))
            and not _OFF_TOPIC.search(words)
        ):
            out.append(Statement("new", number[0], number[1], count.group(0)))
            break
    if has_count and "主动" not in clause:
        for target, pattern in _OUTCOMES.items():
            outcome = pattern.search(clause)
            if outcome and not _JOINED.search(clause[: outcome.start()]):
                number = _number(outcome)
                if number is not None:
                    out.append(Statement(target, number[0], number[1], outcome.group(0)))
    return out
