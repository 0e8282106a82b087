"""The acceptor's camera page (视频上报): find a registered camera and report what it shows, as
the acceptor, through the camera channel. Other posts are refused."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import DESCRIPTION_MAX, Channel
from cases.reporting import report_case
from catalog.models import CaseType
from geo.gazetteer import describe
from intake.partners.models import Camera
from lib.coords import CoordinateError
from org.access import Actor, Refusal, actor_for
from org.roles import Role

PAGE_SIZE = 50


class TypeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: CaseType) -> str:
        return f"{obj.code} {obj.name}"


class CameraReportForm(forms.Form):
    case_type = TypeChoice(
        label=gettext_lazy("Type"),
        queryset=CaseType.objects.none(),
        required=False,
        empty_label=gettext_lazy("Not known yet (chosen when filing)"),
    )
    description = forms.CharField(
        label=gettext_lazy("What the camera shows"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    is_urgent = forms.BooleanField(label=gettext_lazy("Urgent"), required=False)
    # One id per form shown: a double click or a resent POST gives the same case.
    request_id = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["case_type"]
        assert isinstance(field, TypeChoice)
        field.queryset = CaseType.objects.filter(
            major__edition__is_current=True, is_active=True
        ).order_by("code")


def _acceptor(request: HttpRequest) -> Actor | HttpResponse:
    """The acceptor acting, or the page saying this is not for the post."""
    try:
        actor = actor_for(request)
    except Refusal as refusal:
        return _refused(request, refusal.message, refusal.status)
    if actor.role != Role.ACCEPTOR:
        message = _("Only acceptors (受理员) report from cameras.")
        return _refused(request, message, 403)
    return actor


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "refused.html", {"message": message}, status=status)


def _cameras(query: str) -> QuerySet[Camera]:
    cameras = Camera.objects.filter(is_active=True).select_related("partner")
    if query:
        cameras = cameras.filter(Q(code__icontains=query) | Q(name__icontains=query))
    return cameras.order_by("code")


@login_required
def camera_list(request: HttpRequest) -> HttpResponse:
    """Cameras by code or name, a page at a time."""
    actor = _acceptor(request)
    if isinstance(actor, HttpResponse):
        return actor
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(_cameras(query), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "query": query}
    return render(request, "intake/partners/camera_list.html", context)


@login_required
def camera_report(request: HttpRequest, code: str) -> HttpResponse:
    """上报 from one camera, as the acceptor, through the camera channel."""
    actor = _acceptor(request)
    if isinstance(actor, HttpResponse):
        return actor
    camera = get_object_or_404(Camera, code=code, is_active=True)
    if request.method == "POST":
        form = CameraReportForm(request.POST)
        if form.is_valid():
            try:
                number = _report(actor, camera, form.cleaned_data)
            except Refusal as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("Case %(number)s reported.") % {"number": number})
                return redirect(reverse("case_detail", args=[number]))
    else:
        form = CameraReportForm(initial={"request_id": uuid.uuid4().hex})
    context = {"camera": camera, "form": form, "address": _address(camera)}
    return render(request, "intake/partners/camera_report.html", context)


def _address(camera: Camera) -> str:
    """The camera's nearest address; its name when the gazetteer knows nothing near."""
    try:
        return describe(camera.lon, camera.lat, "cgcs2000") or camera.name
    except CoordinateError:
        return camera.name


def _report(actor: Actor, camera: Camera, data: dict[str, object]) -> str:
    address = _address(camera)
    case_type = data["case_type"]
    case = report_case(
        actor=actor,
        channel=Channel.CAMERA,
        description=str(data["description"]),
        lon=camera.lon,
        lat=camera.lat,
        crs="cgcs2000",
        case_type=case_type if isinstance(case_type, CaseType) else None,
        address=address,
        request_id=f"camera-{data['request_id']}",
        is_urgent=bool(data["is_urgent"]),
    )
    return case.number
