"""Text as people and devices send it."""

from __future__ import annotations

import re
from typing import Final

# C0 controls and DEL, except tab, line feed and carriage return. PostgreSQL cannot store a
# NUL in text at all; the others only hide or garble what a person reads.
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None
