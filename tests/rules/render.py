"""Render a test ``Spec`` as report text in the seed layout (tab-separated rows, as seeds 002 and 004).

Fixtures under tests/rules/fixtures are written with this layout; ``line_of`` finds the line a fixture's
expected finding points at.
"""

from __future__ import annotations

from tests.rules.factories import REVIEWS, Spec

APP_LABELS = {
    "new": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partial": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "withheld_secret": "1.属于国家秘密",
    "withheld_law": "2.其他法律行政法规禁止公开",
    "withheld_security": "3.危及“三安全一稳定”",
    "withheld_third_party": "4.保护第三方合法权益",
    "withheld_internal": "5.属于三类内部事务信息",
    "withheld_process": "6.属于四类过程性信息",
    "withheld_enforcement": "7.属于行政执法案卷",
    "withheld_inquiry": "8.属于行政查询事项",
    "unavailable_not_held": "1.本机关不掌握相关政府信息",
    "unavailable_needs_creation": "2.没有现成信息需要另行制作",
    "unavailable_unclear": "3.补正后申请内容仍不明确",
    "rejected_petition": "1.信访举报投诉类申请",
    "rejected_duplicate": "2.重复申请",
    "rejected_publication": "3.要求提供公开出版物",
    "rejected_excessive": "4.无正当理由大量反复申请",
    "rejected_confirmation": "5.要求行政机关确认或重新出具已获取信息",
    "other": "（六）其他处理",
    "other_no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_misc": "3.其他",
    "total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
GROUP_HEADS = {
    "withheld_secret": "（三）不予公开",
    "unavailable_not_held": "（四）无法提供",
    "rejected_petition": "（五）不予处理",
    "other_no_correction": "（六）其他处理",
}
SUBTOTAL_OF = {"subtotal_withheld": "withheld_secret", "subtotal_unavailable": "unavailable_not_held",
               "subtotal_rejected": "rejected_petition", "subtotal_other": "other_no_correction"}  # fmt: skip
BLOCK_HEADS = {"art20_1": "第二十条第（一）项", "art20_5": "第二十条第（五）项", "art20_6": "第二十条第（六）项",
               "art20_8": "第二十条第（八）项", "art20_9": "第二十条第（九）项"}  # fmt: skip
DISCLOSURE_ROWS = {"rules": "规章", "normative_docs": "行政规范性文件", "licensing": "行政许可",
                   "other_services": "其他对外管理服务事项", "penalty": "行政处罚", "coercion": "行政强制",
                   "fees": "行政事业性收费", "procurement": "政府集中采购"}  # fmt: skip
DISCLOSURE_COLS = {
    "2021": {"art20_1": "本年制发件数\t本年废止件数\t现行有效件数", "art20_5": "本年处理决定数量",
             "art20_6": "本年处理决定数量", "art20_8": "本年收费金额（单位：万元）"},
    "2019": {"art20_1": "本年新制作数量\t本年新公开数量\t对外公开总数量", "art20_5": "上一年项目数量\t本年增/减\t处理决定数量",
             "art20_6": "上一年项目数量\t本年增/减\t处理决定数量", "art20_8": "上一年项目数量\t本年增/减",
             "art20_9": "采购项目数量\t采购总金额"},
}  # fmt: skip
HEADINGS = {
    "overview": "一、总体情况",
    "disclosure": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "reviews": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}


def _v(value: int | float | None, *, signed: bool = False) -> str:
    if value is None:
        return ""
    if signed and value > 0:
        return f"+{value}"
    return str(value)


def _disclosure(spec: Spec) -> list[str]:
    out: list[str] = []
    for block, rows in spec.disclosure.items():
        out.append(BLOCK_HEADS[block])
        out.append("信息内容\t" + DISCLOSURE_COLS[spec.template][block])
        for row, cols in rows.items():
            label = (
                "规范性文件"
                if (row == "normative_docs" and spec.template == "2019")
                else DISCLOSURE_ROWS[row]
            )
            label = spec.labels.get(row, label)
            cells = [
                spec.raws.get((block, row, col), _v(value, signed=col == "change"))
                for col, value in cols.items()
            ]
            out.append("\t".join([label, *cells]))
    return out


def _applications(spec: Spec) -> list[str]:
    out = [
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况",
        "\t自然人\t法人或其他组织\t\t\t\t\t总计",
        "\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他",
    ]
    subtotals = {SUBTOTAL_OF[k]: k for k in spec.apps if k.startswith("subtotal_")}
    for row, values in spec.apps.items():
        if row.startswith("subtotal_"):
            continue
        cells = "\t".join(_v(v) for v in values)
        if row in ("new", "carried_over", "carried_forward"):
            out.append(f"{APP_LABELS[row]}\t\t{cells}\t")
        elif row == "granted":
            out.append(f"三、本年度办理结果\t{APP_LABELS[row]}\t{cells}\t")
        elif row in subtotals:
            sub = "\t".join(_v(v) for v in spec.apps[subtotals[row]])
            out.append(f"\t{GROUP_HEADS[row]}\t{sub}")
            out.append(f"\t\t{APP_LABELS[row]}\t{cells}")
        elif row in GROUP_HEADS:
            out.append(f"\t{GROUP_HEADS[row]}\t{APP_LABELS[row]}\t{cells}")
        elif row in ("partial", "other", "total"):
            out.append(f"\t{APP_LABELS[row]}\t{cells}")
        else:
            out.append(f"\t\t{APP_LABELS[row]}\t{cells}")
    return out


def _reviews(spec: Spec) -> list[str]:
    head = "结果维持\t结果纠正\t其他结果\t尚未审结\t总计"
    return [
        "行政复议\t\t\t\t\t行政诉讼",
        f"{head}\t未经复议直接起诉\t\t\t\t\t复议后起诉",
        f"\t\t\t\t\t{head}\t{head}",
        "\t".join(_v(v) for v in spec.reviews),
    ]


def render(spec: Spec) -> str:
    """The report as text (ends with a newline)."""
    lines: list[str] = []
    if spec.title:
        lines += [spec.fill(spec.title), ""]
    period = spec.period_year or spec.year
    lines.append(
        "根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》要求，编制本报告。"
        f"本报告中所列数据的统计期限为{period}年1月1日起至{period}年12月31日止。"
    )
    bodies = {
        "overview": [spec.fill(t) for t in spec.overview],
        "disclosure": _disclosure(spec),
        "applications": _applications(spec),
        "reviews": _reviews(spec),
        "problems": [spec.fill(t) for t in spec.problems],
        "other": [spec.fill(t) for t in spec.other],
    }
    for key in spec.sections:
        lines += ["", HEADINGS[key], *bodies[key]]
    if spec.published:
        lines += [
            "",
            "",
            spec.organ,
            f"{spec.published.year}年{spec.published.month}月{spec.published.day}日",
        ]
    return "\n".join(lines) + "\n"


def line_of(text: str, needle: str, *, after: str | None = None) -> int:
    """1-based number of the first line containing ``needle`` (after the first line containing ``after``)."""
    lines = text.split("\n")
    start = 0
    if after is not None:
        start = next(i for i, line in enumerate(lines) if after in line) + 1
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


__all__ = ["render", "line_of", "REVIEWS", "APP_LABELS"]
