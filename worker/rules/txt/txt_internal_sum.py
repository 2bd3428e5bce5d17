"""TXT_INTERNAL_SUM: "共N条，其中a条、b条…" whose parts do not add up to N."""

from __future__ import annotations

import re
from collections.abc import Iterator

from worker.parse.models import Location, Report
from worker.rules.base import Finding, Rule, RuleContext, Severity
from worker.rules.support.textscan import find_line, sentences

_COUNT = re.compile(r"(?P<n>\d{1,7})(?P<approx>余|多)?(?P<unit>条|件|个|篇|次|项|期|场|份)(?![\d%])")
_PARENS = re.compile(r"（[^（）]*）|\([^()]*\)")
_CHANNELS = re.compile(
    r"网站|公众号|微博|微信|平台|客户端|APP|app|新媒体|政务号|抖音|公开栏|公示栏|电子屏|报刊|电视"
)
_EXHAUSTIVE = re.compile(r"其他|其它|其余")
_VAGUE = re.compile(r"约|近|超过|逾")
_OPEN, _CLOSE = re.compile(r"[（(]"), re.compile(r"[）)]")


def _inside_brackets(text: str) -> bool:
    """Whether the end of ``text`` lies inside an open bracket."""
    return len(_OPEN.findall(text)) > len(_CLOSE.findall(text))


class StatedPartsDoNotAddUp(Rule):
    """## What it does
    Finds sentences of the form "（共）…N条，其中A类a条，B类b条，其他c条" and checks the parts against N: parts
    adding up to **more** than N are always reported; parts adding up to less are reported only when the
    list is evidently complete (it ends with 其他/其余) and has no part in another unit ("征集调查16期" among
    条). Vague numbers ("300余条", "约") and lists by channel (网站, 公众号… where one item is often published
    on several) are skipped; a 其中 inside brackets ("案件2件（其中1件…），结果维持1件") lists its parts up to the
    closing bracket only.

    ## Why is this bad?
    The prose of 一、总体情况 reports the figures 条例 art. 50 asks for; a total that its own breakdown
    contradicts shows that one of the figures is wrong.

    ## Example
    "全年主动公开政府信息120条，其中机构职能类20条，政策文件类30条，其他类60条。" (110 ≠ 120).
    Use instead: "…其他类70条。"
    """

    code = "TXT_INTERNAL_SUM"
    title_zh = "正文中分项数之和与总数不符"
    title_en = "Parts stated in the text do not add up to the stated total"
    severity = Severity.WARNING

    def check(self, report: Report, ctx: RuleContext) -> Iterator[Finding]:
        for section in report.sections:
            for sentence in sentences(section.text):
                finding = self._check_sentence(report, sentence, section.key, section.line)
                if finding is not None:
                    yield finding

    def _check_sentence(self, report: Report, sentence: str, section: str, start: int) -> Finding | None:
        at = sentence.find("其中")
        if at < 0:
            return None
        # the total is the one count of the clause just before "其中" ("…共公开信息120条，其中…")
        before = re.split(r"[，,：:]", sentence[:at].rstrip("，,：:"))[-1]
        counts = list(_COUNT.finditer(before))
        if len(counts) != 1 or counts[0].group("approx") or _VAGUE.search(before):
            return None
        total = counts[0]
        unit = total.group("unit")
        parts_text = sentence[at + 2 :]
        if _inside_brackets(sentence[:at]):  # "…2件（其中1件为…），结果维持1件": the parts end with the note
            parts_text = _CLOSE.split(parts_text, maxsplit=1)[0]
        parts_text = _PARENS.sub("", parts_text)
        cut = parts_text.find("共")
        if cut >= 0:
            parts_text = parts_text[:cut]
        part = re.compile(rf"(?P<pre>约|近|超过|逾)?(?P<n>\d{{1,7}})(?P<approx>余|多)?{unit}(?![\d%])")
        matches = list(part.finditer(parts_text))
        if not matches or any(m.group("pre") or m.group("approx") for m in matches):
            return None
        if _CHANNELS.search(parts_text):
            return None
        stated = int(total.group("n"))
        parts_sum = sum(int(m.group("n")) for m in matches)
        last_label = parts_text[matches[-2].end() if len(matches) > 1 else 0 : matches[-1].start()]
        # a part in another unit ("征集调查16期" among 条) belongs to the list: short of the total proves nothing
        other_units = any(m.group("unit") != unit for m in _COUNT.finditer(parts_text))
        complete = len(matches) >= 2 and bool(_EXHAUSTIVE.search(last_label)) and not other_units
        if parts_sum == stated or (parts_sum < stated and not complete):
            return None
        line = find_line(report, sentence, start=start)
        return self.finding(
            f"正文“{sentence[:50]}”中，各分项之和为 {parts_sum}{unit}，与所述总数 {stated}{unit} 不符",
            location=Location(section=section, line=line),
            expected=stated,
            actual=parts_sum,
        )
