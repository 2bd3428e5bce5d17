"""Chinese labels of table rows and columns, for finding messages a clerk reads without the template.

The parser's vocabulary (``worker.parse.vocab``) holds the full printed labels used for *matching*; these are
the short forms used for *telling* ("（七）总计·自然人"). Keys are those of report-format.md sections 2-4.
"""

from __future__ import annotations

TABLE_ZH = {
    "disclosure": "二、主动公开政府信息情况表",
    "applications": "三、收到和处理政府信息公开申请情况表",
    "reviews": "四、行政复议、行政诉讼情况表",
}

APPLICATION_ROWS_ZH = {
    "new": "一、本年新收申请数量",
    "carried_over": "二、上年结转申请数量",
    "granted": "（一）予以公开",
    "partial": "（二）部分公开",
    "subtotal_withheld": "（三）不予公开（小计）",
    "withheld_secret": "（三）不予公开·1.属于国家秘密",
    "withheld_law": "（三）不予公开·2.其他法律行政法规禁止公开",
    "withheld_security": "（三）不予公开·3.危及“三安全一稳定”",
    "withheld_third_party": "（三）不予公开·4.保护第三方合法权益",
    "withheld_internal": "（三）不予公开·5.属于三类内部事务信息",
    "withheld_process": "（三）不予公开·6.属于四类过程性信息",
    "withheld_enforcement": "（三）不予公开·7.属于行政执法案卷",
    "withheld_inquiry": "（三）不予公开·8.属于行政查询事项",
    "subtotal_unavailable": "（四）无法提供（小计）",
    "unavailable_not_held": "（四）无法提供·1.本机关不掌握相关政府信息",
    "unavailable_needs_creation": "（四）无法提供·2.没有现成信息需要另行制作",
    "unavailable_unclear": "（四）无法提供·3.补正后申请内容仍不明确",
    "subtotal_rejected": "（五）不予处理（小计）",
    "rejected_petition": "（五）不予处理·1.信访举报投诉类申请",
    "rejected_duplicate": "（五）不予处理·2.重复申请",
    "rejected_publication": "（五）不予处理·3.要求提供公开出版物",
    "rejected_excessive": "（五）不予处理·4.无正当理由大量反复申请",
    "rejected_confirmation": "（五）不予处理·5.要求行政机关确认或重新出具已获取信息",
    "subtotal_other": "（六）其他处理（小计）",
    "other": "（六）其他处理",
    "other_no_correction": "（六）其他处理·1.申请人逾期不补正",
    "other_unpaid_fee": "（六）其他处理·2.申请人逾期未缴纳费用",
    "other_misc": "（六）其他处理·3.其他",
    "total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}

APPLICATION_COLS_ZH = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "nonprofit": "社会公益组织",
    "legal_services": "法律服务机构",
    "other_org": "其他法人或其他组织",
    "total": "总计",
}

REVIEW_ROWS_ZH = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼·未经复议直接起诉",
    "litigation_after_review": "行政诉讼·复议后起诉",
}

REVIEW_COLS_ZH = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}

DISCLOSURE_BLOCKS_ZH = {
    "art20_1": "第二十条第（一）项",
    "art20_5": "第二十条第（五）项",
    "art20_6": "第二十条第（六）项",
    "art20_8": "第二十条第（八）项",
    "art20_9": "第二十条第（九）项",
}

DISCLOSURE_ROWS_ZH = {
    "rules": "规章",
    "normative_docs": "行政规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}

DISCLOSURE_COLS_ZH = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "处理决定数量",
    "amount_wan": "本年收费金额（万元）",
    "made": "本年新制作数量",
    "published": "本年新公开数量",
    "published_total": "对外公开总数量",
    "prev_items": "上一年项目数量",
    "change": "本年增/减",
    "items": "采购项目数量",
    "amount": "采购总金额",
}

SECTION_ZH = {
    "overview": "一、总体情况",
    "disclosure": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "reviews": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}


def row_zh(table: str, row: str) -> str:
    """The short Chinese label of a row key of ``table`` (the key itself when unknown)."""
    if table == "applications":
        return APPLICATION_ROWS_ZH.get(row, row)
    if table == "reviews":
        return REVIEW_ROWS_ZH.get(row, row)
    return DISCLOSURE_ROWS_ZH.get(row, row)


def col_zh(table: str, col: str) -> str:
    """The short Chinese label of a column key of ``table``."""
    if table == "applications":
        return APPLICATION_COLS_ZH.get(col, col)
    if table == "reviews":
        return REVIEW_COLS_ZH.get(col, col)
    return DISCLOSURE_COLS_ZH.get(col, col)


def cell_zh(table: str, row: str, col: str) -> str:
    """ "（七）总计·自然人", "行政复议·总计", "第二十条第（八）项·行政事业性收费·本年收费金额（万元）"."""
    if table.startswith("disclosure."):
        block = table.split(".", 1)[1]
        return f"{DISCLOSURE_BLOCKS_ZH.get(block, block)}·{row_zh('disclosure', row)}·{col_zh('disclosure', col)}"
    return f"{row_zh(table, row)}·{col_zh(table, col)}"
