"""Tracking codes (查询码): a random secret per public report, shown to the reporter once.

The code is made when the report form is rendered and travels in the form beside the request
id, so that a retried or doubled submission of the same form answers with the same code
without the server ever keeping it: only its SHA-256 is stored (`Receipt.code_hash`). A code
has 12 characters from an alphabet without look-alikes (about 59 bits), which the lookup rate
limit puts far beyond guessing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from typing import Final

from cases.models import Case
from intake.portal.models import Receipt

ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
CODE_LENGTH: Final = 12
_LOOK_ALIKES: Final = str.maketrans({"O": "0", "I": "1", "L": "1"})
_CODE: Final = re.compile(rf"[{ALPHABET}]{{{CODE_LENGTH}}}")
# Compared against when the number is unknown, so both answers take the same work.
_NO_HASH: Final = "0" * 64


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalised(text: str) -> str:
    """A code as people retype it: any case, with spaces or dashes between the groups."""
    return re.sub(r"[\s\-]", "", text).upper().translate(_LOOK_ALIKES)


def is_code(text: str) -> bool:
    return _CODE.fullmatch(text) is not None


def grouped(code: str) -> str:
    """The code as shown: three groups of four (K7QM-4XPT-9HRC)."""
    return "-".join(code[n : n + 4] for n in range(0, len(code), 4))


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def issue_receipt(case: Case, code: str, now: datetime) -> Receipt:
    return Receipt.objects.create(case=case, code_hash=code_hash(code), created_at=now)


def matches(receipt: Receipt, code: str) -> bool:
    return hmac.compare_digest(receipt.code_hash, code_hash(normalised(code)))


def case_for_code(number: str, code: str) -> Case | None:
    """The case whose number and tracking code were shown; None for a wrong code, an unknown
    number or a case reported elsewhere, alike."""
    receipt = (
        Receipt.objects.select_related("case", "case__case_type")
        .filter(case__number=number.strip())
        .first()
    )
    stored = receipt.code_hash if receipt is not None else _NO_HASH
    right = hmac.compare_digest(stored, code_hash(normalised(code)))
    return receipt.case if receipt is not None and right else None
