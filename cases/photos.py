"""Photos of a case, per stage (report, handling, check).

An upload is trusted for nothing but its bytes: its name and declared content type are ignored.
The bytes must decode completely as an accepted image; the stored file is a fresh JPEG re-encoded
from the pixels, so no metadata (EXIF with GPS, XMP, comments) and no trailing payload of a
polyglot survives. The time and place the photo was taken are read from EXIF beforehand and kept
as columns. Either the photo row and both files exist, or none of them does.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageCms, ImageOps, UnidentifiedImageError, features
from shapely.geometry import Point

from cases.models import Case, Photo, PhotoStage, Status, TaskKind, Verb
from cases.steps import lock_case, note
from cases.transitions import HANDLERS, holds_task
from lib.coords import distance_m
from org.access import Actor, Refusal
from org.roles import CENTER_DESKS, Role

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS_PER_STAGE = 9
# Decoding costs memory by pixels, not bytes: 40 MP of RGB is ~120 MB. Phones save 12–24 MP.
MAX_PHOTO_PIXELS = 40_000_000
MAX_SIDE = 2560
THUMBNAIL_SIDE = 320
JPEG_QUALITY = 85
# EXIF times before this are a camera whose clock was never set.
EARLIEST_TAKEN_AT = datetime(2000, 1, 1, tzinfo=UTC)
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class PhotoError(Refusal):
    STATUS_CODES = {"photo_too_large": 413, "photo_type_not_allowed": 415, "too_many_photos": 409}

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, self.STATUS_CODES.get(code, 400))


CENTER = CENTER_DESKS
BEFORE_DISPATCH = frozenset({Status.REPORTED, Status.VERIFYING, Status.ACCEPTED, Status.FILED})


def check_photo_allowed(case: Case, actor: Actor, stage: str) -> None:
    """Who adds photos at which stage: the report by the supervision center, the reporting
    inspector or the inspector verifying it; the after-photo by the lead unit handling it (or
    the inspector handling it on the spot); the check photo by the inspector checking it."""
    reporter = actor.user is not None and case.reporter_id == actor.user.pk
    inspector = actor.role == Role.INSPECTOR
    if stage == PhotoStage.REPORT:
        allowed = case.status in BEFORE_DISPATCH and (
            actor.role in CENTER
            or (inspector and (reporter or holds_task(case, actor, TaskKind.VERIFY)))
        )
        if actor.post is None:  # the public or a partner, with the report it just made
            allowed = case.status == Status.REPORTED and actor.holds == case.number
    elif stage == PhotoStage.HANDLING:
        allowed = (
            actor.role in HANDLERS
            and case.status in (Status.DISPATCHED, Status.HANDLING)
            and case.responsible_unit_id in actor.scope.unit_ids
        ) or (inspector and reporter and case.status in (Status.REPORTED, Status.SELF_HANDLED))
    else:
        allowed = inspector and holds_task(case, actor, TaskKind.CHECK)
    if not allowed:
        raise Refusal(
            "photo_not_allowed",
            _("You cannot add a photo of this stage to case %(number)s now.")
            % {"number": case.number},
            403,
        )


@dataclass(frozen=True)
class Rendered:
    """What is kept of an upload: the re-encoded files and what EXIF said."""

    image: bytes
    thumbnail: bytes
    width: int
    height: int
    taken_at: datetime | None
    taken_point: Point | None


def store_photo(
    case: Case,
    stage: str,
    upload: File,
    *,
    actor: Actor,
    now: datetime,
    request_id: str | None = None,
) -> Photo:
    """Check, re-encode and store one photo of `case` at `stage`; refused (PhotoError or a
    Refusal) when the actor may not add it, or it is too large, not an image, one too many.
    The case's audit trail records the photo with the SHA-256 of the stored image, so a file
    swapped later no longer matches its event. With a `request_id`, a retry of the same upload
    answers with the photo the first attempt stored (its `uploaded_at` is then not `now`)."""
    stage = PhotoStage(stage)
    data = read_upload(upload)
    digest = sha256(data).hexdigest()
    if request_id:
        earlier = _earlier_upload(case, request_id, digest, actor)
        if earlier is not None:
            return earlier
    rendered = render(data, now)
    photo = Photo(
        case=case,
        stage=stage,
        width=rendered.width,
        height=rendered.height,
        taken_at=rendered.taken_at,
        taken_point=rendered.taken_point,
        uploaded_by=actor.user,
        uploaded_at=now,
        request_id=request_id or None,
        request_digest=digest if request_id else "",
    )
    try:
        with transaction.atomic():
            # The case row lock serialises uploads to one case, so two cannot both be the 9th,
            # and a retry racing its first attempt finds the photo once the first commits.
            locked = lock_case(case)
            if request_id and (earlier := _earlier_upload(case, request_id, digest, actor)):
                return earlier
            check_photo_allowed(locked, actor, stage)
            check_room(locked, stage)
            name = f"{uuid4().hex}.jpg"
            photo.image.save(name, ContentFile(rendered.image), save=False)
            photo.thumbnail.save(name, ContentFile(rendered.thumbnail), save=False)
            photo.save()
            record(locked, photo, sha256(rendered.image).hexdigest(), actor, now)
    except BaseException:
        # Files are not transactional: remove what was written before the failure.
        photo.image.delete(save=False)
        photo.thumbnail.delete(save=False)
        raise
    return photo


def _earlier_upload(case: Case, request_id: str, digest: str, actor: Actor) -> Photo | None:
    """The photo an earlier upload with this request id stored, if it sent the same bytes."""
    earlier = Photo.objects.filter(case=case, request_id=request_id).first()
    if earlier is None:
        return None
    same_sender = earlier.uploaded_by_id == (actor.user.pk if actor.user else None)
    if not same_sender or earlier.request_digest != digest:
        raise Refusal(
            "request_id_reused",
            _("This request id was already used for another photo of case %(number)s.")
            % {"number": case.number},
            409,
        )
    return earlier


def doubts(case: Case, photo: Photo) -> list[str]:
    """Why a photo deserves a second look, from its EXIF: taken long before it was sent (an
    old picture of another day), or far from the place reported. A report's photo is judged
    against when the problem was seen: a phone may have queued it offline for a day."""
    found = []
    max_age = timedelta(hours=settings.PHOTO_MAX_AGE_HOURS)
    seen = photo.uploaded_at
    if photo.stage == PhotoStage.REPORT and case.observed_at is not None:
        seen = min(seen, case.observed_at)
    if photo.taken_at is not None and seen - photo.taken_at > max_age:
        age = timesince(photo.taken_at, seen)
        found.append(_("Taken %(age)s before it was sent (EXIF).") % {"age": age})
    if photo.taken_point is not None:
        metres = distance_m(photo.taken_point.x, photo.taken_point.y, case.point.x, case.point.y)
        if metres > settings.PHOTO_MAX_DISTANCE_METRES:
            found.append(
                _("Taken %(metres)s m from the reported place (EXIF).")
                % {"metres": f"{metres:,.0f}"}
            )
    return found


def record(case: Case, photo: Photo, digest: str, actor: Actor, now: datetime) -> None:
    data = {"photo": photo.pk, "stage": photo.stage, "sha256": digest}
    note(case, Verb.ADD_PHOTO, actor, now, data)


def photo_urls(photo: Photo) -> dict[str, str]:
    """Where the photo is served, to those who may see its case (cases.views.photo_file)."""
    number = photo.case.number
    return {
        size: reverse("case_photo", args=[number, photo.pk, size])
        for size in ("image", "thumbnail")
    }


def allowed_formats() -> tuple[str, ...]:
    # PIL.features has no HEIF entry: HEIF is readable only when a plugin (pillow-heif) has
    # registered an opener. Pillow's own AVIF codec does not decode phones' HEIC.
    Image.init()
    webp = ("WEBP",) if features.check_module("webp") else ()
    heif = ("HEIF",) if "HEIF" in Image.OPEN else ()
    return ("JPEG", "PNG", *webp, *heif)


def check_room(case: Case, stage: str) -> None:
    if Photo.objects.filter(case=case, stage=stage).count() >= MAX_PHOTOS_PER_STAGE:
        raise PhotoError(
            "too_many_photos",
            _("A case keeps at most %(limit)d photos per stage.") % {"limit": MAX_PHOTOS_PER_STAGE},
        )


def read_upload(upload: File) -> bytes:
    upload.seek(0)
    data = upload.read(MAX_PHOTO_BYTES + 1)  # never more than the limit, whatever size it claims
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError(
            "photo_too_large",
            _("The photo is larger than %(limit)s.") % {"limit": filesizeformat(MAX_PHOTO_BYTES)},
        )
    return data


# -- decoding and re-encoding -----------------------------------------------------------------


def render(data: bytes, now: datetime) -> Rendered:
    image = decode(data)
    exif = read_exif(image)
    image = to_srgb(upright(image))
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    thumbnail = image.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return Rendered(
        image=encode_jpeg(image),
        thumbnail=encode_jpeg(thumbnail),
        width=image.width,
        height=image.height,
        taken_at=taken_at(exif, now) if exif is not None else None,
        taken_point=taken_point(exif) if exif is not None else None,
    )


def decode(data: bytes) -> Image.Image:
    """Open with the accepted decoders only, check the declared size, then decode every byte."""
    try:
        image = Image.open(io.BytesIO(data), formats=allowed_formats())
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own cap (2 × MAX_IMAGE_PIXELS), or its warning when warnings are errors.
        raise too_many_pixels() from None
    except UnidentifiedImageError:
        raise (type_not_allowed() if other_image_type(data) else not_an_image()) from None
    except Exception:  # a known format whose header is broken
        raise not_an_image() from None
    # The size comes from the header: refuse before any pixel is decoded.
    if image.width * image.height > MAX_PHOTO_PIXELS:
        raise too_many_pixels()
    if image.format in ("JPEG", "MPO"):  # MPO: a phone's JPEG with extra pictures appended
        # libjpeg may decode at 1/2, 1/4 or 1/8 scale, never below the size that is stored.
        ratio = min(1, MAX_SIDE / max(*image.size, 1))
        image.draft(None, (math.ceil(image.width * ratio), math.ceil(image.height * ratio)))
    try:
        image.load()
    except Exception:  # Pillow's decoders raise many kinds of error on malformed data
        raise not_an_image() from None
    return image


def other_image_type(data: bytes) -> bool:
    """A GIF, BMP, TIFF or ISO media file (HEIC, AVIF, video) rather than no image at all."""
    signatures = (b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")
    return data.startswith(signatures) or data[4:8] == b"ftyp"


def upright(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # a malformed EXIF block: keep the pixels as stored
        return image


def to_srgb(image: Image.Image) -> Image.Image:
    icc = image.info.get("icc_profile")
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    if icc:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, profile, SRGB, outputMode="RGB")
            if converted is not None:
                return converted
        except Exception:  # a broken or unusual profile: keep the colours as stored
            pass
    return image.convert("RGB")


def encode_jpeg(image: Image.Image) -> bytes:
    # The JPEG encoder copies some metadata (the comment) from `info`; start from none.
    image.info = {}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def too_many_pixels() -> PhotoError:
    return PhotoError(
        "photo_too_many_pixels",
        _("The photo has more than %(limit)d megapixels.")
        % {"limit": MAX_PHOTO_PIXELS // 1_000_000},
    )


def not_an_image() -> PhotoError:
    return PhotoError("photo_not_an_image", _("The file is not a readable image."))


def type_not_allowed() -> PhotoError:
    return PhotoError(
        "photo_type_not_allowed",
        _("This type of image is not accepted; send a photo as %(formats)s.")
        % {"formats": ", ".join(allowed_formats())},
    )


# -- EXIF: when and where the photo was taken ---------------------------------------------------
# Bad EXIF is common (unset clocks, zero denominators, odd types) and never refuses a photo.


def read_exif(image: Image.Image) -> Image.Exif | None:
    try:
        return image.getexif()
    except Exception:
        return None


def taken_at(exif: Image.Exif, now: datetime) -> datetime | None:
    """DateTimeOriginal, in its recorded UTC offset if any, else in settings.TIME_ZONE."""
    try:
        details = exif.get_ifd(ExifTags.IFD.Exif)
        stamp = text(details[ExifTags.Base.DateTimeOriginal])
        offset = text(details.get(ExifTags.Base.OffsetTimeOriginal, ""))
        when = datetime.strptime(stamp, "%Y:%m:%d %H:%M:%S")
        if offset:
            when = datetime.strptime(f"{stamp} {offset}", "%Y:%m:%d %H:%M:%S %z")
        else:
            when = timezone.make_aware(when, timezone.get_default_timezone())
    except Exception:
        return None
    if not EARLIEST_TAKEN_AT <= when <= now + timedelta(days=1):
        return None
    return timezone.localtime(when, timezone.get_default_timezone())


def taken_point(exif: Image.Exif) -> Point | None:
    """The GPS position as a WGS84 Point(lon, lat), if both coordinates are sane."""
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        tag = ExifTags.GPS
        lat = decimal_degrees(gps.get(tag.GPSLatitude), gps.get(tag.GPSLatitudeRef))
        lon = decimal_degrees(gps.get(tag.GPSLongitude), gps.get(tag.GPSLongitudeRef))
    except Exception:
        return None
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180 or (lat, lon) == (0, 0):
        return None  # 0,0 is what a phone without a fix writes
    return Point(lon, lat)


def decimal_degrees(dms: Any, ref: Any) -> float | None:
    """(degrees, minutes, seconds) rationals and an N/S/E/W reference → signed degrees."""
    sign = {"N": 1, "E": 1, "S": -1, "W": -1}.get(text(ref).upper())
    if sign is None or dms is None or len(dms) != 3:
        return None
    degrees, minutes, seconds = (float(part) for part in dms)
    if not all(math.isfinite(part) and part >= 0 for part in (degrees, minutes, seconds)):
        return None
    if minutes >= 60 or seconds >= 60:
        return None
    return sign * (degrees + minutes / 60 + seconds / 3600)


def text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return str(value).strip("\x00 ")
