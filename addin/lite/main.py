"""ragbook in xlwings Lite: the same buttons and functions as the ragbook add-in.

Paste this file into the xlwings Lite editor of a plan workbook (and
requirements.txt beside it into the requirements tab). xlwings Lite runs Python
inside Excel, so nothing is installed on the computer and no server is needed.
The buttons (Recalculate RAG, Check milestones, Build appendix, Roll forward)
and the functions (RAGBOOK.RAG, DIRECTION, MILESTONE_DUE, MILESTONE_CHECK) are
ragbook's own: they give exactly what the server add-in and the command line
give.
"""

from ragbook.excel.functions import direction, milestone_check, milestone_due, rag
from ragbook.excel.scripts import build_appendix, check_milestones, recalculate_rag, roll_forward

__all__ = [
    "build_appendix",
    "check_milestones",
    "direction",
    "milestone_check",
    "milestone_due",
    "rag",
    "recalculate_rag",
    "roll_forward",
]
