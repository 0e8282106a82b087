"""Errors from the pure helpers in lib/ and from the point lookup, told in the user's language
and turned into the one refusal type of the request edge (org/access.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from lib.coords import CoordinateError
from lib.gridcodes import GridCodeError
from org.access import Refusal

if TYPE_CHECKING:
    from geo.lookup import OutsideDistrict


def refusal(error: CoordinateError | GridCodeError | OutsideDistrict) -> Refusal:
    """The refusal a caller answers with for a bad position, grid code or place outside."""
    if isinstance(error, CoordinateError):
        return Refusal("bad_position", coordinate_error_text(error))
    if isinstance(error, GridCodeError):
        return Refusal("bad_grid_code", grid_code_error_text(error))
    return Refusal("outside_district", str(error))


def coordinate_error_text(error: CoordinateError) -> str:
    text = _(error.template) % error.params if error.params else _(error.template)
    if error.point is not None:
        return _("Point %(n)d: %(problem)s") % {"n": error.point, "problem": text}
    return text


def grid_code_error_text(error: GridCodeError) -> str:
    rule = _(error.rule)
    if error.digits:
        rule = _("digits %(digits)s: %(rule)s") % {"digits": error.digits, "rule": rule}
    return _("%(kind)s %(code)s is invalid: %(rule)s") % {
        "kind": _(error.kind),
        "code": repr(error.code),
        "rule": rule,
    }
