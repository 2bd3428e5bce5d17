"""T4_AFTER_REVIEW_TOTAL: the litigation_after_review group of 四 adds up."""

from __future__ import annotations

from worker.rules.base import Severity
from worker.rules.support.review_group import GroupTotalRule


class AfterReviewLitigationTotalWrong(GroupTotalRule):
    """## What it does
    Checks that in the 四 table the group 行政诉讼·复议后起诉 has 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结.

    ## Why is this bad?
    The 四 table of the template (国办公开办函〔2021〕30号; the same in 〔2019〕60号) splits each group into
    four exclusive results and their 总计; 条例 art. 50 requires the report to state these cases. A total
    that is not the sum of its results misstates how many cases there were. Blank cells count as 0; a blank
    总计 is reported by BLANK_CELL instead.

    ## Example
    复议后起诉: 结果维持 1, 结果纠正 1, 其他结果 0, 尚未审结 1, 总计 2.
    Use instead: 总计 3.
    """

    code = "T4_AFTER_REVIEW_TOTAL"
    title_zh = "复议后起诉总计与各项之和不符"
    title_en = "Litigation-after-review total differs from its parts"
    severity = Severity.ERROR
    group = "litigation_after_review"
