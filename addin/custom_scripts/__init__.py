"""The scripts the ragbook add-in's buttons run.

xlwings Server calls ``POST /xlwings/custom-scripts-call/NAME`` as
``getattr(custom_scripts, NAME)``: every name in this module is reachable over
HTTP. So import exactly the four scripts, by name, and nothing else.
"""

from ragbook.excel.scripts import build_appendix, check_milestones, recalculate_rag, roll_forward

__all__ = ["build_appendix", "check_milestones", "recalculate_rag", "roll_forward"]
