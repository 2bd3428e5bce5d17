"""The Chinese explanation of every rule, shown by ``nianbao rules explain ID`` (data only).

Written from docs/report-format.md section 7 in the words of docs/glossary-zh.md. The English explanation
stays in each rule's docstring (``nianbao rules explain ID --lang en``); tests/rules/test_rules_cli.py
checks that every rule id has an entry here.
"""

from __future__ import annotations

EXPLAIN_ZH: dict[str, str] = {
    "T3_BALANCE": (
        "表三每一列：本年新收 + 上年结转 = 办理结果总计 + 结转下年度继续办理（模板中印明的等式）。"
        "不成立说明某项数字填错或漏填。"
    ),
    "T3_RESULT_SUM": "表三每一列：办理结果“总计”应等于各项办理结果（予以公开……其他处理）之和。",
    "T3_COL_TOTAL": "表三每一行：“总计”列应等于自然人及各类法人或其他组织六列之和。",
    "T3_SUBTOTAL": (
        "报告在（三）至（六）下自行加了小计行时，小计应等于其下各行之和，且不得与各行重复计入总计。"
    ),
    "T3_TOTAL_BLANK": "表三的总计单元格为空，而其组成部分不为零：按 0 计算会得出错误的和，故只作警告，不报求和错误。",
    "T4_REVIEW_TOTAL": "表四“行政复议”一组：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结。",
    "T4_DIRECT_TOTAL": "表四“未经复议直接起诉”一组：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结。",
    "T4_AFTER_REVIEW_TOTAL": "表四“复议后起诉”一组：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结。",
    "TABLE_UNREADABLE": (
        "某张表格未能可靠读取（例如网页或 PDF 转出的文字丢失了分隔符，数字可以有不止一种拆分方式）。"
        "每张表只提示一次，报告状态为“待人工复核”；该表不做求和等数字校验，以免误报。"
        "请提供 .docx/.pdf 原件或人工核对。"
    ),
    "NUM_TYPE": (
        "件数应为不小于 0 的整数（2019版的“增/减”可带正负号），金额应为不小于 0 的数。"
        "文字、小数件数或负数都会使统计无法使用。"
    ),
    "BLANK_CELL": "单元格为空或只有占位符（如“—”“/”）；计算时按 0 处理。应填写 0 而不是留空。",
    "STRUCT_SECTION_MISSING": "年度报告缺少规定的六个部分之一（一、总体情况至六、其他需要报告的事项）。",
    "STRUCT_SECTION_ORDER": "各部分的顺序与模板不一致。",
    "STRUCT_TABLE_MISSING": "表二、表三或表四缺失，或表中没有任何数字。",
    "STRUCT_CELL_COUNT": "表三某一行不是 7 个单元格，或表四的数据行不是 15 个单元格：表格被改动，数字可能错位。",
    "FMT_OLD_USED": "2021年度及以后的报告仍使用2019版格式（或新旧格式混用）；应使用2021版（国办公开办函〔2021〕30号）。",
    "FMT_2019_INCOMPLETE": (
        "2019版格式缺少“第二十条第（九）项”或“其他对外管理服务事项”部分。2019年度报告为警告，其他年度为错误。"
    ),
    "FMT_NEW_TOO_EARLY": "2020年度及以前的报告使用了2021版格式。",
    "FMT_LABEL_MIXED": "2021版格式中出现了旧格式的栏目名称（如2021版列下的“规范性文件”）。",
    "TITLE_MISSING": "没有“YYYY年……政府信息公开工作年度报告”形式的标题。",
    "YEAR_MISMATCH": "标题中的年度与统计期间的年度不一致。",
    "YEAR_FORWARD_PLAN": "五、存在的主要问题及改进情况中，对下一年度的工作计划写成了报告年度本身。",
    "PUB_BEFORE_YEAR_END": "报告在报告年度次年1月1日之前落款或公开：年度尚未结束，统计不可能完整。",
    "PUB_AFTER_JAN31": (
        "报告在次年1月31日之后公开。县级以上人民政府部门为错误，其他报告主体为警告。"
    ),
    "PUB_AFTER_MAR31": "报告在次年3月31日之后公开，超过了法定公开期限。",
    "SEC1_ASPECTS": "2021版：一、总体情况缺少规定的五个方面之一（主动公开、依申请公开、政府信息管理、平台建设、监督保障）。",
    "SEC5_EMPTY": "五、存在的主要问题及改进情况为空、只写“无”，或没有写问题或改进措施。",
    "SEC6_FEE": "六、其他需要报告的事项没有说明信息处理费的收取情况。",
    "TXT_TABLE_MISMATCH": (
        "正文中写明的件数与表格中的数字矛盾（如写“未收到申请”而本年新收总计大于 0；“行政复议3件”而表四总计不同）。"
        "明确矛盾为错误，否则为警告。"
    ),
    "TXT_INTERNAL_SUM": "正文中“共N条，其中a条、b条……”的各部分之和不等于N。",
    "UNIT_FEE": "金额以“元”填写而应为“万元”，或数额大得不合理。",
    "UNIT_PROCUREMENT": "政府集中采购金额没有单位，或单位不是“万元”。",
    "XY_CARRYOVER": "本年度的“上年结转”应等于同一报告主体上一年度报告的“结转下年度继续办理”（逐列核对）。",
    "XY_VALID_ROLLFORWARD": "2021版：本年现行有效件数 = 上年现行有效件数 + 本年制发件数 - 本年废止件数。",
    "XY_DUPLICATE": "正文或表格与该报告主体上一年度的报告基本相同，可能是照抄上年报告。",
}
"""Rule id -> what the rule checks and why, in zh-CN."""
