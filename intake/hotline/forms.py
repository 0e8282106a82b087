"""The call form of the hotline console: what an acceptor types while the caller speaks.

The form checks the shape of each field (lengths, numbers, a type of the current catalogue);
what a report may say is decided by cases/reporting.py, whose refusals the view puts back
beside the field they concern.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from cases.models import DESCRIPTION_MAX
from catalog.models import CaseType, MajorClass
from intake.hotline.calls import clean_phone
from intake.hotline.models import CALLER_MAX, NOTE_MAX, PHONE_MAX
from org.access import Refusal

ADDRESS_MAX = 200  # as Case.address
REQUEST_ID_MAX = 64  # as Case.request_id

# The refusals of report_case and record_call, by the field they concern.
FIELD_OF_REFUSAL = {
    "outside_district": "lon",
    "bad_position": "lon",
    "description_required": "description",
    "phone_required": "phone",
    "bad_phone": "phone",
}


def current_types() -> Any:
    """The types an acceptor may choose: the current edition's active ones."""
    return (
        CaseType.objects.filter(major__edition__is_current=True, is_active=True)
        .select_related("major")
        .order_by("major__kind", "major__code", "code")
    )


def type_options(types: Iterable[CaseType], selected: str) -> SafeString:
    """The type picker's options, grouped by major class. Built here: the template language
    took a tenth of a second over the 500-odd types of GB/T 47678.5."""
    groups: dict[MajorClass, list[CaseType]] = {}
    for case_type in types:
        groups.setdefault(case_type.major, []).append(case_type)
    return format_html_join(
        "\n",
        '<optgroup label="{} · {} {}">{}</optgroup>',
        (
            (major.get_kind_display(), major.code, major.name, _options(members, selected))
            for major, members in groups.items()
        ),
    )


def _options(types: list[CaseType], selected: str) -> SafeString:
    chosen = mark_safe(" selected")  # a constant
    return format_html_join(
        "",
        '<option value="{}"{}>{} {}</option>',
        ((t.pk, chosen if str(t.pk) == selected else "", t.code, t.name) for t in types),
    )


def new_request_id() -> str:
    """One per form: a double submit of the same form makes one case (cases/reporting.py)."""
    return f"hotline-{uuid.uuid4().hex}"


class CallForm(forms.Form):
    caller = forms.CharField(label=_("Caller's name"), max_length=CALLER_MAX, required=False)
    phone = forms.CharField(label=_("Caller's phone"), max_length=PHONE_MAX, required=False)
    case_type = forms.ModelChoiceField(
        label=_("Type"),
        queryset=CaseType.objects.none(),
        error_messages={
            "required": _("Choose the type of problem."),
            "invalid_choice": _("Choose a type of the current catalogue."),
        },
    )
    description = forms.CharField(
        label=_("What the caller reports"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea,
        error_messages={"required": _("Describe the problem.")},
    )
    address = forms.CharField(label=_("Address"), max_length=ADDRESS_MAX, required=False)
    lon = forms.FloatField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the place: pick an address suggestion or click on the map."),
            "invalid": _("The position is not a number."),
        },
    )
    lat = forms.FloatField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the place: pick an address suggestion or click on the map."),
            "invalid": _("The position is not a number."),
        },
    )
    is_urgent = forms.BooleanField(label=_("Urgent"), required=False)
    callback_wanted = forms.BooleanField(
        label=_("The caller wants a callback (回访)"), required=False
    )
    callback_note = forms.CharField(label=_("Callback note"), max_length=NOTE_MAX, required=False)
    request_id = forms.CharField(
        widget=forms.HiddenInput,
        max_length=REQUEST_ID_MAX,
        error_messages={"required": _("The form is incomplete: open the hotline page again.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_type"].queryset = current_types()  # type: ignore[attr-defined]

    def clean_phone(self) -> str:
        try:
            return clean_phone(self.cleaned_data["phone"])
        except Refusal as refusal:
            raise forms.ValidationError(refusal.message, code=refusal.code) from None

    def clean(self) -> dict[str, Any]:
        """Said here as well as by record_call, so the acceptor sees it with the other errors."""
        data = super().clean() or {}
        if data.get("callback_wanted") and data.get("phone") == "":
            self.add_error("phone", _("A callback needs the caller's phone number."))
        return data

    @classmethod
    def blank(cls) -> CallForm:
        """A fresh form for the next call."""
        return cls(initial={"request_id": new_request_id(), "callback_wanted": True})
