"""Report metadata: title (and its year), statistics-period year, publication date, issuing body.

The issuing body is taken as printed (title, signature, preamble) and its administrative path is made as
full as the text gives it: "将乐县南口镇人民政府" gives ["将乐县", "南口镇"]; a bare "南口镇" stays
["南口镇"], so two bodies of the same short name in different counties never share an identity.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from worker.parse.numerals import cn_digits, cn_int
from worker.parse.vocab import compact

_YEAR = re.compile(r"((?:19|20)\d{2}) ?年")
_TITLE_KIND = re.compile(r"(?:年度报告|年报|工作报告)")
_TITLE_TOPIC = re.compile(r"(?:信息公开|政务公开)")
_PERIOD = re.compile(r"((?:19|20)\d{2})年0?1月0?1日(?:起)?(?:至|到|-|—|~)(?:((?:19|20)\d{2})年)?12月31日")
_PERIOD_YEAR = re.compile(r"统计(?:期限|时限|时间|区间|周期)[^0-9]{0,6}((?:19|20)\d{2})年度?(?!\d)")
_DATE = re.compile(r"^((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日$")
_DATE_ISO = re.compile(r"((?:19|20)\d{2})[-./](\d{1,2})[-./](\d{1,2})")
_DATE_LABEL = re.compile(
    r"(?:(?:发布|印发|公开|成文|编制)(?:日期|时间):?|(?:^|来源:.{0,20})(?:日期|时间):)"
    r"((?:19|20)\d{2})(?:年|[-./])(\d{1,2})(?:月|[-./])(\d{1,2})"
)
_CN_YEAR = re.compile(r"([〇○零一二三四五六七八九]{4})年")
_CN_DATE = re.compile(
    r"^([〇○零O一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$"
)

# a unit of the administrative path; one-character county names exist ("泾县", "沛县")
ADMIN_SUFFIX = re.compile(
    r"[\u4e00-\u9fff]县|.{2,}?(?:特别行政区|自治区|自治州|自治县|地区|省|市|州|盟|县|区|旗|镇|乡|街道)"
)
GOV_SUFFIXES = ("人民政府", "政府", "办事处")  # stripped for the path: "XX街道办事处" -> ["XX街道"]
_ORGAN_END = re.compile(r"(?:人民政府|政府|办事处|局|委员会|办公室|中心|镇|乡|街道|署|厅|委|办)$")
_COUNTY_UP = re.compile(r"(?:省|市|州|盟|县|区|旗|自治区|自治州|自治县|地区)$")
_DEPARTMENT_END = re.compile(r"(?:局|委员会|办公室|中心|院|所|队|署|厅|委|办)$")
_TOWNSHIP = re.compile(r"(?:镇|乡|街道)$")
_FUNCTION_CHARS = set("与在由向对经和及为是了据按请从至到于通过以")
_ORGAN_BEFORE_TOPIC = re.compile(
    r"(.+?(?:人民政府|办事处|委员会|管委会|局|办公室))(?:政府信息|政务公开|信息公开)"
)
_DATE_AT_END = re.compile(r"^(.*?)((?:19|20)\d{2}年\d{1,2}月\d{1,2}日)$")
_PREAMBLE_ORGAN = re.compile(
    r"本(?:年度)?(?:报告|年报)(?:是|系)?由(.{3,30}?)(?:根据|依据|按照|依照|结合|编制|编写|制作|汇总)"
)
_PUBLISHES = re.compile(r"(?:^|[,，。:：;；])([^,，。;；《》]{3,30}?)现?(?:向社会)?(?:公开|发布|公布)《")
_QUOTED_TITLE = re.compile(r"《([^《》]{4,60}?(?:年度报告|年报))》")
_PREAMBLE_ORGANS = (_PREAMBLE_ORGAN, _PUBLISHES, _QUOTED_TITLE)
_CHROME = re.compile(r">|»|当前位置|首页")  # a page's breadcrumb: never the first half of a title
_INNER_GOV = re.compile(r"(?<=[区县市旗])人民政府(?=.{2,10}(?:街道|镇|乡)$)")
_NOT_ORGANS = frozenset({"人民政府", "本机关", "我单位", "本单位", "本部门"})
_OWN_KIND = re.compile(r"[我本](镇|乡|街道|县|区|局|委|办)")


@dataclass
class Meta:
    title: str | None = None
    title_line: int | None = None
    title_year: int | None = None
    period_year: int | None = None
    published: dt.date | None = None
    published_line: int | None = None
    organ: str | None = None
    organ_path: list[str] = field(default_factory=list)
    organ_level: str = "unknown"


def find_title(lines: Sequence[str], before: int) -> tuple[str, int, int] | None:
    """The "YYYY年…政府信息公开工作年度报告" title among the first lines (a title split over two lines joins)."""
    idx = [i for i in range(min(before, len(lines))) if lines[i].strip() and "\t" not in lines[i]][:24]
    options: list[tuple[str, int]] = []
    for pos, i in enumerate(idx):
        options.append((lines[i].strip(), i))
        if pos + 1 < len(idx) and idx[pos + 1] - i <= 3 and not _CHROME.search(lines[i]):
            options.append((lines[i].strip() + lines[idx[pos + 1]].strip(), i))
    for text, i in options:
        flat = compact(text)
        if len(flat) > 60 or "《" in flat or "。" in flat:
            continue
        year = _YEAR.search(text) or _YEAR.search(_cn_year_to_digits(text))
        if year and _TITLE_KIND.search(flat) and _TITLE_TOPIC.search(flat):
            return text, i + 1, int(year.group(1))
    return None


def _cn_year_to_digits(text: str) -> str:
    """ "二〇二三年" -> "2023年" (titles sometimes print the year in Chinese numerals)."""
    return _CN_YEAR.sub(lambda m: f"{cn_digits(m.group(1))}年", text)


def find_period_year(text: str) -> int | None:
    flat = compact(text)
    m = _PERIOD.search(flat)
    if m:  # "2023年1月1日至2023年12月31日", also "2023年1月1日到12月31日"
        return int(m.group(2) or m.group(1))
    m = _PERIOD_YEAR.search(flat)
    return int(m.group(1)) if m else None


def _date(y: int | None, m: int | None, d: int | None) -> dt.date | None:
    if y is None or m is None or d is None:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def parse_date_line(line: str) -> dt.date | None:
    """A line that is only a date: "2024年1月23日", "二〇二四年一月二十三日", "2024-01-23"."""
    flat = compact(line)
    if m := _DATE.match(flat):
        return _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _CN_DATE.match(flat):
        return _date(cn_digits(m.group(1)), cn_int(m.group(2)), cn_int(m.group(3)))
    if (m := _DATE_ISO.fullmatch(flat)) is not None:
        return _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


def find_published(lines: Sequence[str]) -> tuple[dt.date, int] | None:
    """The signing date of the signature block (last lines), else a "发布日期：…" anywhere."""
    seen = 0
    for i in range(len(lines) - 1, -1, -1):
        if not lines[i].strip():
            continue
        seen += 1
        if seen > 15:
            break
        date = parse_date_line(lines[i])
        if date is None and (m := _DATE_AT_END.match(compact(lines[i]))) and _ORGAN_END.search(m.group(1)):
            date = parse_date_line(m.group(2))  # "石门镇人民政府 2024年1月23日" on one line
        if date:
            return date, i + 1
    for i, line in enumerate(lines):
        if "日期" not in line and "时间" not in line:
            continue
        m = _DATE_LABEL.search(compact(line))
        if m and (date := _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))):
            return date, i + 1
    return None


def _signature_organ(lines: Sequence[str], date_line: int | None) -> str | None:
    if not date_line:
        return None
    same = _DATE_AT_END.match(compact(lines[date_line - 1]))
    if same and same.group(1) and _ORGAN_END.search(same.group(1)) and len(same.group(1)) <= 30:
        return same.group(1)
    for i in range(date_line - 2, max(-1, date_line - 5), -1):
        flat = compact(lines[i])
        if not flat:
            continue
        if len(flat) <= 30 and _ORGAN_END.search(flat) and "\t" not in lines[i]:
            return flat
        return None
    return None


def _title_organ(title: str | None) -> str | None:
    if not title:
        return None
    flat = _cn_year_to_digits(compact(title))
    year = _YEAR.search(flat)
    if not year:
        return None
    before = flat[: year.start()].removeprefix("关于").removesuffix("关于")
    if _is_organ_name(before):
        return before
    after = re.sub(r"^度?", "", flat[year.end() :])
    m = _ORGAN_BEFORE_TOPIC.match(after) or re.match(r"(.+?)(?:政府信息公开|政务公开|信息公开)", after)
    return m.group(1) if m and _is_organ_name(m.group(1)) else None


def _is_organ_name(name: str) -> bool:
    """A name of a body, not a bare word of the title ("政府", "本机关")."""
    return (
        len(name) >= 3
        and name not in _NOT_ORGANS
        and bool(_ORGAN_END.search(name) or ADMIN_SUFFIX.match(name))
    )


def split_admin(name: str) -> list[str]:
    """ "将乐县南口镇人民政府" -> ["将乐县", "南口镇"]; a department keeps its name as the last unit."""
    for suffix in GOV_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    name = _INNER_GOV.sub("", name)  # "思明区人民政府中华街道" -> "思明区中华街道"
    units: list[str] = []
    pos = 0
    department = bool(_DEPARTMENT_END.search(name))
    while pos < len(name):
        m = ADMIN_SUFFIX.match(name, pos)
        if not m or (department and not _COUNTY_UP.search(m.group(0))):
            units.append(name[pos:])  # a department keeps its whole name ("住房和城乡建设局")
            break
        units.append(m.group(0))
        pos = m.end()
    return [u for u in units if u]


def _prefix_unit(text: str, chain: str) -> str | None:
    """The administrative unit printed right before ``chain`` (e.g. "将乐县" before "南口镇"), if any."""
    counts: dict[str, int] = {}
    for m in re.finditer(re.escape(chain), text):
        head = text[max(0, m.start() - 6) : m.start()]
        if not head or not _COUNTY_UP.search(head):
            continue
        for k in (3, 4, 5):
            cand = head[-k:]
            if (
                len(cand) == k
                and all("\u4e00" <= c <= "\u9fff" for c in cand)
                and cand[0] not in _FUNCTION_CHARS
            ):
                counts[cand] = counts.get(cand, 0) + 0
    if not counts:
        return None
    for cand in counts:
        counts[cand] = text.count(cand)
    base = max(counts.values())
    best = [c for c, n in counts.items() if n >= max(2, 0.6 * base)] or [min(counts, key=len)]
    return max(best, key=len)


def _frequent_own_name(text: str) -> str | None:
    kinds = _OWN_KIND.findall(text)
    if not kinds:
        return None
    kind = max(set(kinds), key=kinds.count)
    counts: dict[str, int] = {}
    for m in re.finditer(re.escape(kind), text):
        for k in (2, 3, 4):
            cand = text[max(0, m.start() - k) : m.end()]
            if len(cand) == k + len(kind) and all("\u4e00" <= c <= "\u9fff" for c in cand[:k]):
                if cand[0] not in _FUNCTION_CHARS and kind not in cand[:k]:
                    counts[cand] = counts.get(cand, 0) + 1
    counts = {
        c: n for c, n in counts.items() if n >= 2 and not c.startswith(("我", "本", "全", "各", "该", "乡"))
    }
    if not counts:
        return None
    top = max(counts.values())
    return max((c for c, n in counts.items() if n >= 0.6 * top), key=len)


def _preamble_organs(head: str) -> list[str]:
    """The body as the preamble names it: "本报告由X编制", "X现向社会公开《…》", "现发布《X2023年…报告》"."""
    for pattern in _PREAMBLE_ORGANS:
        for m in pattern.finditer(head):
            name = m.group(1)
            if pattern is _QUOTED_TITLE:
                name = _title_organ(name) or ""
            if name and _is_organ_name(name):
                return [name]
    return []


def find_organ(
    text: str, title: str | None, lines: Sequence[str], date_line: int | None
) -> tuple[str | None, list[str], str]:
    """(organ as printed, administrative path, level)."""
    flat = compact(text)
    printed = [o for o in (_signature_organ(lines, date_line), _title_organ(title)) if o]
    if not printed:
        printed = _preamble_organs(flat[:800])
    base = max(printed, key=len) if printed else _frequent_own_name(flat)
    if not base:
        return None, [], "unknown"
    path = split_admin(base)
    while path and len(path) < 6:  # 省/市/县/乡 and a department: never more
        unit = _prefix_unit(flat, "".join(path))
        if not unit or unit in path:
            break
        path.insert(0, unit)
    forms = [base] + [
        "".join(path[i:]) + suffix
        for i in range(len(path))
        for suffix in ("人民政府", "街道办事处", "办事处", "")
    ]
    present = [f for f in forms if f and f in flat]
    # the fullest printed form, ending like the name printed as the body's ("…镇人民政府", not an address)
    ending = next((sfx for sfx in GOV_SUFFIXES if base.endswith(sfx)), "")
    organ = max(present, key=lambda f: (f.endswith(ending), len(f))) if present else base
    return organ, path, _level(organ, path)


def _level(organ: str, path: list[str]) -> str:
    last = path[-1] if path else organ
    if _TOWNSHIP.search(last) or organ.endswith("办事处"):
        return "township"
    if _COUNTY_UP.search(last):
        return "county_government"
    if len(path) >= 2 and _COUNTY_UP.search(path[-2]):
        return "county_department"
    return "unknown"


def find_meta(lines: Sequence[str], *, first_section_line: int | None, table_start: int | None) -> Meta:
    """All metadata of a report from its normalised lines."""
    meta = Meta()
    before = (first_section_line or 10) - 1
    title = find_title(lines, max(before, 1) if first_section_line else 10)
    if title:
        meta.title, meta.title_line, meta.title_year = title
    head = "\n".join(lines[: (table_start or len(lines))])
    meta.period_year = find_period_year(head)
    pub = find_published(lines)
    if pub:
        meta.published, meta.published_line = pub
    meta.organ, meta.organ_path, meta.organ_level = find_organ(
        "\n".join(lines), meta.title, lines, meta.published_line
    )
    return meta
