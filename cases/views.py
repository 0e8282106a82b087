"""Case photos as files, served only to those who may see the case (the case pages themselves
are consoles/)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from cases.models import Case, Photo
from lib.files import open_or_404
from org.access import Refusal, actor_for, bearer_key, sign_in_by_key


@require_GET
def photo_file(request: HttpRequest, number: str, photo_id: int, size: str) -> HttpResponseBase:
    """A case photo or its thumbnail, only for someone who may see the case. Photos show
    people and number plates, so they are never served as public media files."""
    _sign_in_by_token(request)
    try:
        actor = actor_for(request, pick_first=True)
    except Refusal as refused:
        body = {"error": {"code": refused.code, "message": refused.message}}
        return JsonResponse(body, status=refused.status)
    cases = Case.objects.visible_to(actor).filter(number=number)
    photo = Photo.objects.filter(pk=photo_id, case__in=cases).first()
    if photo is None or size not in ("image", "thumbnail"):
        raise Http404
    stored = photo.image if size == "image" else photo.thumbnail
    # Every stored photo was re-encoded as a JPEG (cases/photos.py): never guess from the name.
    response = FileResponse(open_or_404(stored), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _sign_in_by_token(request: HttpRequest) -> None:
    """A device sending its API token (Authorization: Bearer …) instead of a session."""
    key = bearer_key(request)
    if key and not sign_in_by_key(request, key):
        request.user = AnonymousUser()
