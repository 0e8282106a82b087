"""Every way a case moves after it is reported (cases/reporting.py): one function per verb,
named for what it does (STANDARDS.md §4, DESIGN.md §4).

Each verb takes the case (or its number) and a keyword-only `actor` (org/access.py), and goes
through cases/steps.py: lock the case row, check the state machine (cases/transitions.py),
change the case, move its deadlines (cases/deadlines.py), append a hash-chained event and notify,
all in one transaction. Views, the API, the simulator and commands call only these functions. A
refusal is a Refusal with a stable `code` and a message in the user's language; when one is
raised nothing has been written.

The verbs live by who calls them: workflow/supervision.py (监督中心), workflow/command.py
(指挥中心) and workflow/handling.py (the units); their table is cases/transitions.py.
"""

from cases.workflow.command import (
    decide_appeal,
    decide_extension,
    decide_return,
    decide_suspension,
    dispatch_case,
    resume_case,
    urge_case,
)
from cases.workflow.handling import (
    answer_urge,
    appeal_overdue,
    assign_team,
    co_feedback,
    feedback_case,
    request_extension,
    request_suspension,
    return_case,
    sign_case,
)
from cases.workflow.supervision import (
    accept_case,
    callback_case,
    check_case,
    close_case,
    close_special,
    decide_void,
    decline_case,
    file_case,
    merge_case,
    reject_case,
    request_void,
    self_handle,
    send_check,
    send_verify,
    verify_report,
)

__all__ = [
    "accept_case",
    "answer_urge",
    "appeal_overdue",
    "assign_team",
    "callback_case",
    "check_case",
    "close_case",
    "close_special",
    "co_feedback",
    "decide_appeal",
    "decide_extension",
    "decide_return",
    "decide_suspension",
    "decide_void",
    "decline_case",
    "dispatch_case",
    "feedback_case",
    "file_case",
    "merge_case",
    "reject_case",
    "request_extension",
    "request_suspension",
    "request_void",
    "resume_case",
    "return_case",
    "self_handle",
    "send_check",
    "send_verify",
    "sign_case",
    "urge_case",
    "verify_report",
]
