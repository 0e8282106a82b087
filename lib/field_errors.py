"""What is wrong with one field of a request or form, in the user's language.

Pydantic words its messages in English only; the API answers in the request's language, so each
error type the API's schemas can raise has its own message here (its `ctx` fills the numbers).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def field_message(kind: str, ctx: dict[str, Any]) -> str:
    templates = {
        "missing": _("This field is required."),
        "extra_forbidden": _("This field is not part of this request."),
        "int_type": _("Give a whole number."),
        "int_parsing": _("Give a whole number."),
        "int_from_float": _("Give a whole number."),
        "float_type": _("Give a number."),
        "float_parsing": _("Give a number."),
        "finite_number": _("Give a finite number."),
        "bool_type": _("Give true or false."),
        "bool_parsing": _("Give true or false."),
        "string_type": _("Give a text."),
        "string_too_short": _("Give at least %(min_length)s characters."),
        "string_too_long": _("Give at most %(max_length)s characters."),
        "too_long": _("Give at most %(max_length)s items."),
        "list_type": _("Give a list."),
        "greater_than": _("Give a number greater than %(gt)s."),
        "greater_than_equal": _("Give a number of at least %(ge)s."),
        "less_than": _("Give a number less than %(lt)s."),
        "less_than_equal": _("Give a number of at most %(le)s."),
        "enum": _("Give one of: %(expected)s."),
        "literal_error": _("Give one of: %(expected)s."),
        "datetime_type": _("Give a date and time, such as 2026-12-03T09:30:00+08:00."),
        "datetime_parsing": _("Give a date and time, such as 2026-12-03T09:30:00+08:00."),
        "datetime_from_date_parsing": _("Give a date and time, such as 2026-12-03T09:30:00+08:00."),
        "model_attributes_type": _("Give an object with the fields of this request."),
        "dict_type": _("Give an object with the fields of this request."),
        "model_type": _("Give an object with the fields of this request."),
        "control_characters": _("The text holds control characters."),
    }
    template = templates.get(kind, _("This value is not valid."))
    try:
        return template % {key: _plain(value) for key, value in ctx.items()}
    except (KeyError, TypeError, ValueError):
        return template


def _plain(value: Any) -> str:
    return str(value).replace("'", "")
