"""Component identifiers (部件标识码): building, parsing and validation for both editions.

    legacy (CJ/T 214-2007 / GB/T 30428.2-2013): 16 digits = 6 district + 4 type (2 major
        + 2 minor) + 6 serial, e.g. 3205080101000001 (姑苏区, 0101 上水井盖, serial 1);
    current (GB/T 47678.5-2026): 17 digits = 6 district + 5 type (2 major + 3 minor) + 6 serial.

The district part is the GB/T 2260 county-level code (checked as lib/gridcodes.py does); the
serial runs 000001–999999 within one district and type. Only ASCII digits are accepted.

Every error is a :class:`ComponentIdError` (a ``ValueError``) keeping the offending text apart
from the rule it breaks, so that the caller can translate the rule (components/messages.py).

Pure module: no Django, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from lib.gridcodes import GridCodeError, validate_district_code
from lib.i18n import gettext_noop

__all__ = [
    "ID_LENGTHS",
    "MAX_SERIAL",
    "TYPE_CODE_LENGTHS",
    "ComponentId",
    "ComponentIdError",
    "build_component_id",
    "parse_component_id",
    "validate_component_id",
    "validate_type_code",
]

DISTRICT_LENGTH: Final = 6
SERIAL_LENGTH: Final = 6
MAX_SERIAL: Final = 999_999
TYPE_CODE_LENGTHS: Final = (4, 5)  # legacy 2+2, GB/T 47678.5 2+3
ID_LENGTHS: Final = {DISTRICT_LENGTH + n + SERIAL_LENGTH: n for n in TYPE_CODE_LENGTHS}

RULE_ASCII: Final = gettext_noop(
    "a component identifier is written with the ASCII digits 0-9 only; full-width digits,"
    " letters, spaces and other characters are not accepted"
)
RULE_LENGTH: Final = gettext_noop(
    "a component identifier has 16 digits (legacy CJ/T 214: 6 district + 4 type + 6 serial)"
    " or 17 digits (GB/T 47678.5: 6 district + 5 type + 6 serial)"
)
RULE_EDITION_LENGTH: Final = gettext_noop(
    "a component identifier of a type with a %(type_digits)d-digit code has %(length)d digits"
)
RULE_TYPE_CODE: Final = gettext_noop(
    "a type code is 4 digits (legacy: 2 major + 2 minor) or 5 digits (GB/T 47678.5: 2 major"
    " + 3 minor), in ASCII digits, with neither part zero"
)
RULE_SERIAL: Final = gettext_noop("a serial number is 000001-999999; 000000 is not a component")
RULE_DISTRICT_MISMATCH: Final = gettext_noop(
    "the district code must be this district's, %(expected)s"
)
RULE_TYPE_MISMATCH: Final = gettext_noop("the type code must be the row's type, %(expected)s")


class ComponentIdError(ValueError):
    """An identifier (or one of its parts) that breaks a rule.

    ``code`` is the offending text, ``rule`` an English template marked for translation,
    ``params`` its placeholders, ``digits`` which digits of the identifier are wrong ("1-6").
    """

    def __init__(self, code: str, rule: str, digits: str = "", **params: object) -> None:
        super().__init__(code, rule, digits)
        self.code = code
        self.rule = rule
        self.digits = digits
        self.params = params

    def __str__(self) -> str:
        rule = self.rule % self.params if self.params else self.rule
        where = f"digits {self.digits}: " if self.digits else ""
        return f"component identifier {self.code!r} is invalid: {where}{rule}"


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit alone accepts full-width and other Unicode digits.
    return text.isascii() and text.isdigit()


def _type_code_ok(code: str) -> bool:
    if len(code) not in TYPE_CODE_LENGTHS or not _is_ascii_digits(code):
        return False
    return int(code[:2]) > 0 and int(code[2:]) > 0


def validate_type_code(code: str) -> str:
    """Return ``code`` if it is a 4- or 5-digit type code, else raise."""
    if not _type_code_ok(code):
        raise ComponentIdError(code, RULE_TYPE_CODE)
    return code


@dataclass(frozen=True, order=True)
class ComponentId:
    """A valid identifier split into its parts; constructing one validates every part."""

    district: str
    type_code: str
    serial: int

    def __post_init__(self) -> None:
        try:
            validate_district_code(self.district)
        except GridCodeError as error:
            raise ComponentIdError(self.district, error.rule) from None
        validate_type_code(self.type_code)
        if isinstance(self.serial, bool) or not isinstance(self.serial, int):
            raise TypeError(f"a serial number is an int, not {type(self.serial).__name__}")
        if not 1 <= self.serial <= MAX_SERIAL:
            raise ComponentIdError(str(self.serial), RULE_SERIAL)

    @property
    def prefix(self) -> str:
        """District + type: the scope within which serials count."""
        return self.district + self.type_code

    @property
    def code(self) -> str:
        return f"{self.prefix}{self.serial:06d}"

    def __str__(self) -> str:
        return self.code


def build_component_id(district: str, type_code: str, serial: int) -> str:
    """The identifier of component ``serial`` of a type in a district (16 or 17 digits,
    following the type code's length); raises :class:`ComponentIdError` for a bad part."""
    return ComponentId(district, type_code, serial).code


def parse_component_id(text: str) -> ComponentId:
    """Split a 16- or 17-digit identifier (surrounding blanks ignored) into its parts."""
    digits = text.strip()
    if not _is_ascii_digits(digits):
        raise ComponentIdError(text, RULE_ASCII)
    type_length = ID_LENGTHS.get(len(digits))
    if type_length is None:
        raise ComponentIdError(text, RULE_LENGTH)
    type_end = DISTRICT_LENGTH + type_length
    district, type_code = digits[:DISTRICT_LENGTH], digits[DISTRICT_LENGTH:type_end]
    try:
        validate_district_code(district)
    except GridCodeError as error:
        raise ComponentIdError(text, error.rule, "1-6") from None
    if not _type_code_ok(type_code):
        raise ComponentIdError(text, RULE_TYPE_CODE, f"7-{type_end}")
    serial = int(digits[type_end:])
    if serial == 0:
        raise ComponentIdError(text, RULE_SERIAL, f"{type_end + 1}-{len(digits)}")
    return ComponentId(district, type_code, serial)


def validate_component_id(text: str, *, district: str, type_code: str) -> ComponentId:
    """Parse ``text`` and check it belongs to ``district`` and the type ``type_code``; the
    type code's length fixes the edition and so the identifier's length."""
    digits = text.strip()
    expected_length = DISTRICT_LENGTH + len(type_code) + SERIAL_LENGTH
    if _is_ascii_digits(digits) and len(digits) in ID_LENGTHS and len(digits) != expected_length:
        raise ComponentIdError(
            text, RULE_EDITION_LENGTH, type_digits=len(type_code), length=expected_length
        )
    parsed = parse_component_id(text)
    if parsed.district != district:
        raise ComponentIdError(text, RULE_DISTRICT_MISMATCH, "1-6", expected=district)
    if parsed.type_code != type_code:
        type_end = DISTRICT_LENGTH + len(type_code)
        raise ComponentIdError(text, RULE_TYPE_MISMATCH, f"7-{type_end}", expected=type_code)
    return parsed
