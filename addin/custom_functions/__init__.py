"""The worksheet functions of the ragbook add-in: =RAGBOOK.RAG(...) and friends.

Every function in this module's namespace is offered to Excel, so import
exactly the four, by name, and nothing else.
"""

from ragbook.excel.functions import direction, milestone_check, milestone_due, rag

__all__ = ["direction", "milestone_check", "milestone_due", "rag"]
