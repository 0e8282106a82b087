"""The portal's forms: a report, a tracking lookup, a rating. Each error is a sentence in the
reader's language, and a report's photos are checked here, before anything is stored."""

from __future__ import annotations

import math
import re
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import DESCRIPTION_MAX, Satisfaction
from cases.photos import decode, read_upload
from catalog.models import CaseType, TypeKind
from geo.gazetteer import geocode
from geo.lookup import place
from intake.portal.receipts import is_code, normalised
from org.access import Refusal

MAX_PHOTOS = 3
ADDRESS_MAX = 200
REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{16,60}")  # "web-" is put before it
# The best gazetteer answer is taken for a typed address only when it is at least this sure.
ADDRESS_SCORE = 0.6
KIND_LABELS: dict[str, str | Promise] = {
    TypeKind.COMPONENT: _("Public facilities"),
    TypeKind.EVENT: _("Problems"),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS images, each read and decoded completely, so that a fake or huge
    photo is refused before the report exists."""

    # Without HEIC in `accept`, iPhones send their photos converted to JPEG.
    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("Send at most %(limit)d photos.") % {"limit": MAX_PHOTOS}, "too_many"
            )
        for upload in files:
            try:
                decode(read_upload(upload))
            except Refusal as refusal:
                raise forms.ValidationError(
                    _("%(name)s: %(problem)s") % {"name": upload.name, "problem": refusal.message},
                    refusal.code,
                ) from None
        return files


def type_choices() -> list[Any]:
    """The current edition's active types, grouped by major class (大类); "not sure" first."""
    types = (
        CaseType.objects.filter(major__edition__is_current=True, is_active=True)
        .select_related("major")
        .order_by("major__kind", "major__code", "code")
    )
    groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for case_type in types:
        major = case_type.major
        label = f"{KIND_LABELS.get(major.kind, major.kind)} · {major.name}"
        groups.setdefault(major.pk, (label, []))[1].append((case_type.pk, case_type.name))
    return [("", _("I'm not sure")), *groups.values()]


class ReportForm(forms.Form):
    case_type = forms.TypedChoiceField(
        label=_("What is the problem?"), required=False, coerce=int, empty_value=None
    )
    description = forms.CharField(
        label=_("Describe it"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you saw, and where exactly (for example: in front of gate 2)."),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=ADDRESS_MAX,
        required=False,
        help_text=_("Place the pin on the map, or type an address and choose it from the list."),
    )
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to 3 photos, JPEG, PNG or WebP, each at most 10 MB."),
    )
    contact_name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("Your phone (optional)"),
        max_length=30,
        required=False,
        validators=[
            RegexValidator(r"^\+?[0-9][0-9 \-]{4,19}$", _("Enter a phone number of digits only."))
        ],
        help_text=_("Only the supervision center sees it, to call you back."),
    )
    # Not restored by the browser on Back: a new form gets new tokens from the server.
    request_id = forms.CharField(widget=forms.HiddenInput(attrs={"autocomplete": "off"}))
    code = forms.CharField(widget=forms.HiddenInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case_type"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = type_choices()

    def clean_case_type(self) -> CaseType | None:
        pk = self.cleaned_data.get("case_type")
        if pk is None:
            return None
        return CaseType.objects.filter(pk=pk, major__edition__is_current=True).first()

    def clean_request_id(self) -> str:
        value = str(self.cleaned_data["request_id"])
        if not REQUEST_ID.fullmatch(value):
            raise forms.ValidationError("", "expired")  # said by clean()
        return value

    def clean_code(self) -> str:
        value = normalised(str(self.cleaned_data["code"]))
        if not is_code(value):
            raise forms.ValidationError("", "expired")  # said by clean()
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self._hidden_fields_failed():
            return data
        lon, lat = data.get("lon"), data.get("lat")
        if lon is not None and lat is not None:
            self._check_point(lon, lat)
        elif data.get("address"):
            self._find_address(data)
        elif "address" not in self.errors:
            self.add_error(
                "address", _("Place the pin on the map, or type the address of the problem.")
            )
        return data

    def _hidden_fields_failed(self) -> bool:
        """Errors of the hidden fields said where the reader sees them: a pin that is not a
        number under the address, a form whose tokens are gone above the form."""
        failed = False
        if self.errors.pop("lon", None) or self.errors.pop("lat", None):
            self.errors.pop("lat", None)
            self.add_error("address", _("The position on the map is not valid."))
            failed = True
        if self.errors.pop("request_id", None) or self.errors.pop("code", None):
            self.errors.pop("code", None)
            self.add_error(
                None, forms.ValidationError(_("This form has expired: send it again."), "expired")
            )
            failed = True
        return failed

    def _check_point(self, lon: float, lat: float) -> None:
        if not (math.isfinite(lon) and math.isfinite(lat)):
            self.add_error("address", _("The position on the map is not valid."))
            return
        try:
            place(lon, lat)
        except Refusal:
            self.add_error(
                "address",
                _("This place lies outside our district: move the pin into the district."),
            )

    def _find_address(self, data: dict[str, Any]) -> None:
        hits = geocode(data["address"], 1)
        if not hits or hits[0].score < ADDRESS_SCORE:
            self.add_error(
                "address", _("We could not find this address: place the pin on the map.")
            )
            return
        data["lon"], data["lat"] = hits[0].lon, hits[0].lat
        self._check_point(hits[0].lon, hits[0].lat)


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("Case number"),
        max_length=14,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you with the result?"),
        choices=[
            (Satisfaction.SATISFIED, _("Satisfied")),
            (Satisfaction.BASICALLY, _("Basically satisfied")),
            (Satisfaction.DISSATISFIED, _("Dissatisfied: the problem is not solved")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
