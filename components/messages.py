"""Errors from lib/component_ids.py, told in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lib.component_ids import ComponentIdError


def component_id_error_text(error: ComponentIdError) -> str:
    rule = _(error.rule) % error.params if error.params else _(error.rule)
    if error.digits:
        rule = _("digits %(digits)s: %(rule)s") % {"digits": error.digits, "rule": rule}
    return _("Component identifier %(code)s is invalid: %(rule)s") % {
        "code": repr(error.code),
        "rule": rule,
    }
