"""POST requests: a partner's service request becomes a case through cases/reporting.py.

The request is form-encoded as the spec says (`attribute[code]=value`); a JSON object with the
same names is taken too. Each field may also come in the query string, where the spec's
examples put `api_key`. Nothing is stored unless everything is right: the case and its
ServiceRequest row are written in one transaction.

Photos may come with a multipart POST as `media` files (at most MAX_MEDIA; an extension
many Open311 clients send): each is checked and stored as a report photo by cases/photos.py,
in the same transaction, so a photo that is refused leaves no case behind.

A retried POST is safe. Clients retry when an answer is lost, so the same content from the
same partner and device_id (empty if not sent) within RETRY_WINDOW returns the first case
instead of a second one. The content's hash, with the partner, device_id and the window's
start, is the case's request id (report_case keeps it unique); the previous window's id is
looked up as well, so a retry is recognised for at least RETRY_WINDOW whenever it comes.

Before anything is read, a body longer than MAX_MEDIA photos and a megabyte (post_max) is
refused by its Content-Length, so a stranger without a key cannot make the server take in an
unbounded upload; a body that cannot be parsed is refused in the spec's error form like any
other. No text may hold a control character (PostgreSQL cannot store a NUL) or, in JSON, a
lone surrogate (it is no Unicode, and cannot be written as UTF-8).
"""

from __future__ import annotations

import json
import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from hashlib import sha256
from typing import Any, Final

from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.core.files import File
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import photos as case_photos
from cases.models import Case, Channel, Photo, PhotoStage
from cases.photos import read_upload, store_photo
from cases.reporting import report_case, server_request_id
from cases.steps import clean_text
from geo.gazetteer import describe, geocode
from intake.open311.models import ServiceRequest
from intake.open311.services import Service, check_attributes, find_service
from intake.partners.keys import partner_for_key
from intake.partners.models import Partner
from lib.text import has_control_characters
from org.access import Actor, Refusal

RETRY_WINDOW: Final = timedelta(minutes=10)
GEOCODE_MIN_SCORE: Final = 0.6  # below it an address_string names no place we can trust
FIELDS: Final = (
    "service_code", "lat", "long", "address_string", "address_id", "description", "media_url",
    "email", "first_name", "last_name", "phone", "device_id", "account_id", "jurisdiction_id",
)  # fmt: skip
BODY_MAX: Final = 64 * 1024  # bytes of a JSON body
MAX_ATTRIBUTES: Final = 20
MAX_MEDIA: Final = 3
EMAIL_MAX: Final = 254
MEGABYTE: Final = 1024 * 1024


@dataclass
class Posted:
    """What the client sent, as text, before any checking."""

    api_key: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    media: list[File] = field(default_factory=list)

    def get(self, name: str) -> str:
        return self.fields.get(name, "").strip()


def post_max() -> int:
    """The longest body a POST may have: its photos and a megabyte for the rest."""
    return MAX_MEDIA * case_photos.MAX_PHOTO_BYTES + MEGABYTE


def read_post(request: HttpRequest) -> Posted:
    """The posted fields from a form or JSON body, then the query string for any not sent.
    The Content-Length is checked before the body is read."""
    length = _content_length(request)
    try:
        body = _json_body(request, length) if _is_json(request) else _form_body(request.POST)
        media: list[File] = list(request.FILES.getlist("media"))
    except TooManyFilesSent:
        raise _too_many_photos() from None
    except (RequestDataTooBig, TooManyFieldsSent):
        raise Refusal("body_too_large", _("The request body is too large."), 413) from None
    except (SuspiciousOperation, MultiPartParserError):
        raise _unreadable() from None
    posted = Posted()
    for source in (body, _form_body(request.GET)):
        posted.api_key = posted.api_key or source.api_key
        for name, value in source.fields.items():
            posted.fields.setdefault(name, value)
        for code, value in source.attributes.items():
            posted.attributes.setdefault(code, value)
    if len(posted.attributes) > MAX_ATTRIBUTES:
        raise Refusal("too_many_attributes", _("Too many attributes."))
    check_text(posted)
    posted.media = media
    if len(posted.media) > MAX_MEDIA:
        raise _too_many_photos()
    return posted


def _content_length(request: HttpRequest) -> int:
    """The body's declared length: digits, and at most post_max()."""
    text = str(request.META.get("CONTENT_LENGTH") or "").strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()):
        raise _unreadable()
    if len(text) > 15 or int(text) > post_max():  # int() takes at most 4,300 digits
        raise Refusal("body_too_large", _("The request body is too large."), 413)
    return int(text)


def _unreadable() -> Refusal:
    return Refusal("bad_body", _("The request body cannot be read."))


def _too_many_photos() -> Refusal:
    return Refusal(
        "too_many_photos", _("Send at most %(n)d photos with a request.") % {"n": MAX_MEDIA}
    )


def _texts(posted: Posted) -> list[str]:
    """The api_key, the fields' values, and the attributes' codes and values."""
    attributes = posted.attributes
    return [posted.api_key, *posted.fields.values(), *attributes, *attributes.values()]


def _is_unicode(text: str) -> bool:
    """Whether text can be written as UTF-8: JSON can carry a lone surrogate, which cannot."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def check_text(posted: Posted) -> None:
    """Every text sent, free of control characters (tab and line breaks are text) and
    writable as UTF-8."""
    for text in _texts(posted):
        if has_control_characters(text) or not _is_unicode(text):
            raise Refusal("bad_characters", _("The text holds control characters."))


def _is_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json"


def _form_body(data: QueryDict) -> Posted:
    posted = Posted(api_key=str(data.get("api_key", "")).strip())
    for name in FIELDS:
        if name in data:
            posted.fields[name] = str(data[name])
    for name in data:
        if name.startswith("attribute[") and name.endswith("]"):
            posted.attributes[name[len("attribute[") : -1]] = str(data[name])
    return posted


def _json_body(request: HttpRequest, length: int) -> Posted:
    if length > BODY_MAX or len(request.body) > BODY_MAX:
        raise Refusal("body_too_large", _("The request body is too large."), 413)
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise Refusal("bad_json", _("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise Refusal("bad_json", _("The request body must be a JSON object."))
    posted = Posted(api_key=_as_text(data.get("api_key", "")).strip())
    for name in FIELDS:
        if data.get(name) is not None:
            posted.fields[name] = _as_text(data[name])
    attributes = data.get("attribute") or {}
    if not isinstance(attributes, dict):
        raise Refusal("bad_json", _("attribute must be an object of codes and values."))
    for code, value in attributes.items():
        posted.attributes[str(code)] = _as_text(value)
    for name, value in data.items():
        if name.startswith("attribute[") and name.endswith("]"):
            posted.attributes[name[len("attribute[") : -1]] = _as_text(value)
    if not all(_is_unicode(text) for text in _texts(posted)):  # a lone surrogate: \ud800
        raise Refusal("bad_json", _("The request body is not valid JSON."))
    return posted


def _as_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Refusal("bad_json", _("Each value must be a string or a number."))
    return str(value)


def partner_of(posted: Posted) -> Partner:
    """The active partner whose key was sent: 400 without a key, 403 for a wrong one."""
    if not posted.api_key:
        raise Refusal("api_key_required", _("Send your api_key to post a request."), 400)
    check_text(Posted(api_key=posted.api_key))  # before it is hashed as UTF-8
    partner = partner_for_key(posted.api_key)
    if partner is None:
        raise Refusal("bad_api_key", _("The api_key is unknown or revoked."), 403)
    return partner


@dataclass(frozen=True)
class Position:
    lon: float
    lat: float
    address: str


def position_of(posted: Posted) -> Position:
    """lat/long when sent (address_string then only labels it), else the best match of
    address_string in the gazetteer; neither is an error."""
    lat, lon, address = posted.get("lat"), posted.get("long"), posted.get("address_string")
    if lat or lon:
        if not (lat and lon):
            raise Refusal("position_incomplete", _("Send both lat and long."))
        x, y = _number(lon, "long"), _number(lat, "lat")
        return Position(x, y, address or _described(x, y))
    if not address:
        raise Refusal(
            "position_required", _("Send the position as lat and long, or an address_string.")
        )
    hits = [hit for hit in geocode(address, 1) if hit.score >= GEOCODE_MIN_SCORE]
    if not hits:
        raise Refusal(
            "address_not_found",
            _("The address %(address)s was not found in the district: send lat and long.")
            % {"address": repr(address[:100])},
        )
    return Position(hits[0].lon, hits[0].lat, address)


def _number(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise Refusal("bad_position", _("%(name)s must be a number.") % {"name": name})
    return value


def _described(lon: float, lat: float) -> str:
    try:
        return describe(lon, lat)
    except ValueError:  # an impossible position: report_case refuses it in words
        return ""


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str


def contact_of(posted: Posted) -> Contact:
    """The reporter's private contact (never shown by GET). A Chinese name is written family
    name first and without a space."""
    first, last = posted.get("first_name"), posted.get("last_name")
    western = first.isascii() and last.isascii()
    name = f"{first} {last}".strip() if western else f"{last}{first}"
    email = posted.get("email")
    if email:
        try:
            EmailValidator()(email)
            if len(email) > EMAIL_MAX:  # the validator allows longer than the column holds
                raise ValidationError("too long")
        except ValidationError:
            raise Refusal("bad_email", _("The email address is not valid.")) from None
    return Contact(clean_text(name, limit=50), clean_text(posted.get("phone"), limit=30), email)


def media_url_of(posted: Posted) -> str:
    """A link to the reporter's photo or video, kept as text: never fetched here."""
    url = posted.get("media_url")
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise Refusal("bad_media_url", _("media_url must be an http or https address.")) from None
    if len(url) > 500:
        raise Refusal("bad_media_url", _("media_url is too long: at most 500 characters."))
    return url


def post_request(
    posted: Posted, *, partner: Partner | None = None, now: datetime | None = None
) -> ServiceRequest:
    """The service request of a valid POST: a new case, or the first one for a retry.
    `partner` is the one `partner_of` found for the key, if the caller asked already."""
    now = now or timezone.now()
    check_text(posted)
    partner = partner or partner_of(posted)
    service_code = posted.get("service_code")
    if not service_code:
        raise Refusal("service_code_required", _("Send the service_code."))
    service = find_service(service_code)
    chosen = check_attributes(service, posted.attributes)
    position = position_of(posted)
    contact = contact_of(posted)
    media_url = media_url_of(posted)
    device_id = clean_text(posted.get("device_id"), limit=100)
    account_id = clean_text(posted.get("account_id"), limit=100)
    photos = [sha256(read_upload(upload)).hexdigest() for upload in posted.media]
    ids = [_request_id(partner, posted, photos, window) for window in _windows(now)]
    earlier = _retried(ids, now)
    if earlier is not None:
        return earlier
    with transaction.atomic():
        case = report_case(
            actor=Actor.partner(),
            channel=Channel.OPEN311,
            description=posted.get("description") or service.case_type.name,
            lon=position.lon,
            lat=position.lat,
            case_type=service.case_type,
            component=chosen.component,
            address=position.address[:200],
            request_id=ids[0],
            contact_name=contact.name,
            contact_phone=contact.phone,
            now=now,
        )
        existing = ServiceRequest.objects.filter(case=case).first()
        if existing is not None:  # a retry that raced the first request
            return existing
        extra = Extra(chosen.values, media_url, contact.email, device_id, account_id)
        made = _store(case, partner, service, extra, now)
        _store_photos(case, posted.media, now)
        return made


@dataclass(frozen=True)
class Extra:
    """What the ServiceRequest row keeps beside the case."""

    attributes: dict[str, str]
    media_url: str
    email: str
    device_id: str
    account_id: str


def _store(
    case: Case, partner: Partner, service: Service, extra: Extra, now: datetime
) -> ServiceRequest:
    try:
        with transaction.atomic():
            return ServiceRequest.objects.create(
                case=case,
                partner=partner,
                token=secrets.token_urlsafe(18),
                service_code=service.code,
                attributes=extra.attributes,
                media_url=extra.media_url,
                email=extra.email,
                device_id=extra.device_id,
                account_id=extra.account_id,
                created_at=now,
            )
    except IntegrityError:  # the same race, the other side won
        return ServiceRequest.objects.get(case=case)


def _store_photos(case: Case, uploads: list[File], now: datetime) -> None:
    """Each photo as a report photo of the new case. A refused photo undoes the request:
    the transaction drops the rows, and the files stored before it are removed here (files
    are not transactional)."""
    stored: list[Photo] = []
    try:
        for upload in uploads:
            holder = Actor.partner(holds=case.number)
            stored.append(store_photo(case, PhotoStage.REPORT, upload, actor=holder, now=now))
    except BaseException:
        for photo in stored:
            photo.image.delete(save=False)
            photo.thumbnail.delete(save=False)
        raise


def _windows(now: datetime) -> list[int]:
    """The current retry window's number and the one before it."""
    current = int(now.timestamp() // RETRY_WINDOW.total_seconds())
    return [current, current - 1]


def _request_id(partner: Partner, posted: Posted, photos: list[str], window: int) -> str:
    said = [
        partner.code,
        window,
        sorted((name, value.strip()) for name, value in posted.fields.items()),
        sorted((code, value.strip()) for code, value in posted.attributes.items()),
        photos,
    ]
    return server_request_id("open311", json.dumps(said, ensure_ascii=False))


def _retried(ids: list[str], now: datetime) -> ServiceRequest | None:
    """The request an identical POST made within RETRY_WINDOW, if any."""
    found = (
        ServiceRequest.objects.filter(case__request_id__in=ids, created_at__gte=now - RETRY_WINDOW)
        .select_related("case")
        .first()
    )
    return found
