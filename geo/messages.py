"""Errors from the pure helpers in lib/, told in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lib.coords import CoordinateError
from lib.gridcodes import GridCodeError


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
