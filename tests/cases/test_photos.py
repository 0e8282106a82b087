"""Photos per stage: what is accepted, what is kept of it, and what is refused without a trace."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation
from PIL import ExifTags, Image, ImageFile
from PIL.TiffImagePlugin import IFDRational

from cases import photos
from cases import workflow as wf
from cases.audit import verify_case, verify_photos
from cases.models import Case, Photo, PhotoStage, Verb
from cases.photos import PhotoError, photo_urls, store_photo
from org.access import Refusal
from org.tokens import issue_token
from tests.cases.conftest import MONDAY_10, SHANGHAI, WEST, World
from tests.cases.making import reported

pytestmark = pytest.mark.django_db
RED, BLUE = (220, 20, 20), (20, 20, 220)


def stored_files(media: Path) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def picture(size: tuple[int, int] = (400, 300), mode: str = "RGB") -> Image.Image:
    """Red on the left half, blue on the right, so a rotation shows."""
    image = Image.new(mode, size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1]))
    return image


def encoded(image: Image.Image, fmt: str = "JPEG", **params: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def exif(
    *,
    taken: str | None = "2026:11:23 09:30:00",
    offset: str | None = None,
    lat: tuple[Any, ...] = (31, 12, IFDRational(3456, 100)),
    lon: tuple[Any, ...] = (121, 28, 12),
    refs: tuple[str, str] = ("N", "E"),
    orientation: int | None = None,
) -> Image.Exif:
    data = Image.Exif()
    data[ExifTags.Base.Make] = "TestPhone"
    if orientation is not None:
        data[ExifTags.Base.Orientation] = orientation
    details = data.get_ifd(ExifTags.IFD.Exif)
    if taken is not None:
        details[ExifTags.Base.DateTimeOriginal] = taken
    if offset is not None:
        details[ExifTags.Base.OffsetTimeOriginal] = offset
    gps = data.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLongitudeRef] = refs
    gps[ExifTags.GPS.GPSLatitude] = tuple(IFDRational(part) for part in lat)
    gps[ExifTags.GPS.GPSLongitude] = tuple(IFDRational(part) for part in lon)
    return data


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


def store(world: World, case: Case, data: bytes, stage: str = PhotoStage.REPORT) -> Photo:
    return store_photo(case, stage, upload(data), actor=world.actors.inspector, now=MONDAY_10)


def refusal(world: World, data: bytes, **kwargs: Any) -> PhotoError:
    case = reported(world)
    with translation.override("en"), pytest.raises(PhotoError) as caught:
        store_photo(
            case,
            PhotoStage.REPORT,
            upload(data, **kwargs),
            actor=world.actors.inspector,
            now=MONDAY_10,
        )
    return caught.value


def reopened(field: Any) -> Image.Image:
    with field.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
    image.load()
    return image


def png_declaring(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of blank rows: a few kilobytes that decode to width × height pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    packer = zlib.compressobj(9)
    row = bytes(1 + (width + 7) // 8)  # filter byte, then the packed bits
    rows = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


# -- what is kept -----------------------------------------------------------------------------


def test_a_jpeg_is_stored_as_a_fresh_jpeg_without_exif_and_with_a_thumbnail(
    world: World, media: Path
) -> None:
    case = reported(world)
    photo = store(world, case, encoded(picture(), exif=exif(), comment=b"secret"))

    photo.refresh_from_db()
    image, thumbnail = reopened(photo.image), reopened(photo.thumbnail)
    assert (photo.case, photo.stage, photo.uploaded_by) == (case, "report", world.inspector)
    assert (photo.width, photo.height, photo.uploaded_at) == (400, 300, MONDAY_10)
    assert (image.format, image.size, image.mode) == ("JPEG", (400, 300), "RGB")
    assert not image.getexif()  # the GPS position is not in the stored file
    assert not {"exif", "comment", "xmp", "icc_profile"} & set(image.info)
    assert thumbnail.format == "JPEG"
    assert thumbnail.size == (320, 240)
    image_name, thumbnail_name = str(photo.image.name), str(photo.thumbnail.name)
    assert re.fullmatch(r"cases/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", image_name)
    directory, file_name = image_name.rsplit("/", 1)
    assert thumbnail_name == f"{directory}/thumbs/{file_name}"
    assert stored_files(media) == sorted([image_name, thumbnail_name])


def test_the_audit_trail_records_each_photo_with_the_hash_of_its_file(
    world: World, media: Path
) -> None:
    case = reported(world)
    photo = store(world, case, encoded(picture()))
    event = case.events.order_by("sequence").last()
    assert event is not None
    with photo.image.open("rb") as stored:
        digest = hashlib.sha256(stored.read()).hexdigest()
    assert (event.verb, event.actor, event.from_status, event.to_status) == (
        Verb.ADD_PHOTO, world.inspector, case.status, case.status,
    )  # fmt: skip
    assert event.data == {"photo": photo.pk, "stage": "report", "sha256": digest}
    fresh = Case.objects.get(pk=case.pk)
    assert list(verify_case(fresh, fresh.events.order_by("sequence"))) == []
    with pytest.raises(PhotoError):
        store(world, case, b"not an image")
    assert case.events.count() == event.sequence  # a refused photo adds no event


def test_the_time_and_the_place_are_read_from_exif(world: World, media: Path) -> None:
    photo = store(world, reported(world), encoded(picture(), exif=exif()))

    photo.refresh_from_db()
    assert photo.taken_at == datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)
    assert photo.taken_point is not None
    assert photo.taken_point.x == pytest.approx(121 + 28 / 60 + 12 / 3600)
    assert photo.taken_point.y == pytest.approx(31 + 12 / 60 + 34.56 / 3600)


def test_south_and_west_give_negative_degrees_and_a_recorded_offset_is_kept(
    world: World, media: Path
) -> None:
    data = encoded(picture(), exif=exif(refs=("S", "W"), offset="+00:00"))
    photo = store(world, reported(world), data)

    assert photo.taken_at == datetime(2026, 11, 23, 17, 30, tzinfo=SHANGHAI)
    assert photo.taken_point is not None
    assert photo.taken_point.x < 0 and photo.taken_point.y < 0


@pytest.mark.parametrize(
    "bad",
    [
        {"taken": "0000:00:00 00:00:00"},  # a camera whose clock was never set
        {"taken": "2031:01:01 08:00:00"},  # years after the upload
        {"lat": (31, 12, IFDRational(1, 0))},  # a zero denominator
        {"lat": (95, 0, 0)},
        {"lat": (0, 0, 0), "lon": (0, 0, 0)},  # what a phone without a fix writes
        {"refs": ("X", "E")},
    ],
)
def test_bad_exif_is_ignored_and_the_photo_is_still_kept(
    world: World, media: Path, bad: dict[str, Any]
) -> None:
    photo = store(world, reported(world), encoded(picture(), exif=exif(**bad)))

    assert photo.pk is not None
    if "taken" in bad:
        assert photo.taken_at is None
        assert photo.taken_point is not None
    else:
        assert photo.taken_at is not None
        assert photo.taken_point is None


def test_a_photo_without_exif_has_no_time_or_place(world: World, media: Path) -> None:
    photo = store(world, reported(world), encoded(picture()))

    assert (photo.taken_at, photo.taken_point) == (None, None)


def test_the_exif_orientation_is_applied(world: World, media: Path) -> None:
    # Orientation 6: the camera was turned; the picture is shown rotated 90° clockwise.
    photo = store(world, reported(world), encoded(picture(), exif=exif(orientation=6)))

    image = reopened(photo.image)
    assert (photo.width, photo.height) == image.size == (300, 400)
    top, bottom = image.getpixel((150, 20)), image.getpixel((150, 380))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 150 > top[2]  # the left (red) half is now on top
    assert bottom[2] > 150 > bottom[0]
    assert reopened(photo.thumbnail).size == (240, 320)


@pytest.mark.parametrize(
    ("fmt", "name", "content_type"),
    [("PNG", "photo.png", "image/png"), ("WEBP", "photo.webp", "image/webp")],
)
def test_png_and_webp_are_accepted_and_stored_as_jpeg(
    world: World, media: Path, fmt: str, name: str, content_type: str
) -> None:
    image = picture(mode="RGBA")
    image.paste((0, 0, 0, 0), (0, 0, 40, 40))  # a transparent corner
    case = reported(world)
    photo = store_photo(
        case,
        PhotoStage.REPORT,
        upload(encoded(image, fmt), name, content_type),
        actor=world.actors.acceptor,
        now=MONDAY_10,
    )

    stored = reopened(photo.image)
    assert stored.format == "JPEG"
    assert (photo.width, photo.height) == (400, 300)
    corner = stored.getpixel((5, 5))
    assert isinstance(corner, tuple) and min(corner) > 240  # transparency becomes white


def test_a_big_photo_is_scaled_to_2560_pixels_on_its_long_side(world: World, media: Path) -> None:
    photo = store(world, reported(world), encoded(picture((2000, 3000))))

    assert (photo.width, photo.height) == reopened(photo.image).size == (1707, 2560)
    assert reopened(photo.thumbnail).size == (213, 320)


def test_a_multi_picture_jpeg_from_a_phone_keeps_its_first_picture(
    world: World, media: Path
) -> None:
    depth_map = Image.new("RGB", (40, 30), "white")
    data = encoded(picture(), "MPO", save_all=True, append_images=[depth_map])
    photo = store(world, reported(world), data)

    assert (photo.width, photo.height) == (400, 300)
    assert reopened(photo.image).format == "JPEG"


def test_a_payload_appended_to_a_jpeg_is_not_stored(world: World, media: Path) -> None:
    polyglot = encoded(picture()) + b"<script>alert(1)</script>"
    photo = store(world, reported(world), polyglot)

    with photo.image.open("rb") as stored:
        assert b"<script>" not in stored.read()


def test_a_photo_is_served_only_to_those_who_may_see_its_case(world: World, media: Path) -> None:
    case = reported(world)
    photo = store(world, case, encoded(picture()))
    urls = photo_urls(photo)
    assert urls == {
        size: f"/cases/{case.number}/photos/{photo.pk}/{size}/" for size in ("image", "thumbnail")
    }
    browser = Client()
    browser.force_login(world.dispatcher)
    answer = browser.get(urls["thumbnail"])
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(answer.streaming_content))).size == (320, 240)  # type: ignore[attr-defined]
    assert "private" in answer["Cache-Control"]
    assert answer["X-Content-Type-Options"] == "nosniff"  # never run as a script or a page
    assert answer["Content-Security-Policy"] == "default-src 'none'; sandbox"

    browser.force_login(world.handler_b)  # not dispatched to department B: not theirs to see
    assert browser.get(urls["image"]).status_code == 404
    assert Client().get(urls["image"]).json()["error"]["code"] == "unauthorized"
    assert Client().get(f"/media/{photo.image.name}").status_code == 404  # no public copy

    _token, key = issue_token(world.inspector, "phone-1")
    phone = Client(headers={"Authorization": f"Bearer {key}"})
    assert phone.get(urls["image"]).status_code == 200
    assert phone.get(f"/cases/{case.number}/photos/{photo.pk}/original/").status_code == 404


def test_a_photo_whose_file_is_lost_answers_not_found(world: World, media: Path) -> None:
    case = reported(world)
    photo = store(world, case, encoded(picture()))
    (media / str(photo.thumbnail.name)).unlink()
    browser = Client()
    browser.force_login(world.dispatcher)
    assert browser.get(photo_urls(photo)["thumbnail"]).status_code == 404
    assert browser.get(photo_urls(photo)["image"]).status_code == 200  # the other file is kept


# -- what is refused --------------------------------------------------------------------------


def truncated_jpeg() -> bytes:
    data = encoded(Image.effect_noise((400, 300), 64).convert("RGB"))
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b"", "photo.jpg", "image/jpeg"),
        (bytes(range(256)) * 8, "photo.jpg", "image/jpeg"),
        (truncated_jpeg(), "photo.jpg", "image/jpeg"),
        (encoded(picture())[:30], "photo.jpg", "image/jpeg"),
        (encoded(picture(), "PNG")[:20], "photo.png", "image/png"),
        ("这是一张照片\n".encode() * 100, "photo.jpg", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "photo.png", "image/png"),
    ],
    ids=[
        "empty",
        "random bytes",
        "truncated jpeg",
        "jpeg cut in its header",
        "png cut in its header",
        "text",
        "png signature then html",
    ],
)
def test_bytes_that_do_not_decode_as_an_image_are_refused_whatever_their_name(
    world: World, media: Path, data: bytes, name: str, content_type: str
) -> None:
    error = refusal(world, data, name=name, content_type=content_type)

    assert (error.code, error.message) == (
        "photo_not_an_image",
        "The file is not a readable image.",
    )
    assert error.status == 400
    assert stored_files(media) == [] and not Photo.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        encoded(picture(), "GIF"),
        encoded(picture(), "BMP"),
        b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2",  # an MP4 video
    ],
    ids=["gif", "bmp", "video"],
)
def test_other_kinds_of_image_are_refused_as_a_type_not_accepted(
    world: World, media: Path, data: bytes
) -> None:
    error = refusal(world, data)

    assert error.code == "photo_type_not_allowed"
    assert error.message.startswith("This type of image is not accepted; send a photo as JPEG, PNG")
    assert error.status == 415
    assert stored_files(media) == [] and not Photo.objects.exists()


def test_a_file_over_the_size_limit_is_refused(
    world: World, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = encoded(picture())
    monkeypatch.setattr(photos, "MAX_PHOTO_BYTES", 1000)
    assert len(data) > 1000

    error = refusal(world, data)

    assert (error.code, error.message) == (
        "photo_too_large",
        "The photo is larger than 1000\xa0bytes.",
    )
    assert error.status == 413
    assert stored_files(media) == [] and not Photo.objects.exists()


def test_the_size_limit_is_ten_megabytes_nine_photos_and_forty_megapixels() -> None:
    assert photos.MAX_PHOTO_BYTES == 10 * 1024 * 1024
    assert photos.MAX_PHOTOS_PER_STAGE == 9
    assert photos.MAX_PHOTO_PIXELS == 40_000_000


@pytest.mark.parametrize("size", [(7000, 7000), (20000, 20000)], ids=["49 MP", "400 MP"])
def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded(
    world: World, media: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    bomb = png_declaring(*size)
    assert len(bomb) < 100_000

    def no_decoding(self: Any) -> None:
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    error = refusal(world, bomb, name="photo.png", content_type="image/png")

    assert (error.code, error.message) == (
        "photo_too_many_pixels",
        "The photo has more than 40 megapixels.",
    )
    assert stored_files(media) == [] and not Photo.objects.exists()


def test_the_tenth_photo_of_a_stage_is_refused_but_another_stage_has_room(
    world: World, media: Path
) -> None:
    case = reported(world)
    data = encoded(picture((40, 30)))
    for _ in range(9):
        store(world, case, data)

    with translation.override("en"), pytest.raises(PhotoError) as caught:
        store(world, case, data)

    assert caught.value.code == "too_many_photos"
    assert caught.value.message == "A case keeps at most 9 photos per stage."
    assert caught.value.status == 409
    assert len(stored_files(media)) == 18
    assert store(world, case, data, PhotoStage.HANDLING).stage == "handling"


def test_a_failure_after_the_files_were_written_leaves_nothing_behind(
    world: World, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = reported(world)

    def broken_save(self: Photo, *args: Any, **kwargs: Any) -> None:
        assert len(stored_files(media)) == 2  # both files were written by now
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Photo, "save", broken_save)
    with pytest.raises(RuntimeError):
        store(world, case, encoded(picture()))

    assert stored_files(media) == []
    assert not Photo.objects.exists()


def test_an_unknown_stage_is_a_programming_error(world: World, media: Path) -> None:
    with pytest.raises(ValueError):
        store(world, reported(world), encoded(picture()), stage="later")


# -- who adds a photo at which stage ----------------------------------------------------------


def test_only_the_reporter_or_the_verifying_inspector_adds_report_photos(
    world: World, media: Path
) -> None:
    a = world.actors
    case, data = reported(world), encoded(picture())
    with pytest.raises(Refusal) as refused:
        store_photo(case, PhotoStage.REPORT, upload(data), actor=a.inspector_2, now=MONDAY_10)
    assert (refused.value.code, refused.value.status) == ("photo_not_allowed", 403)
    store_photo(case, PhotoStage.REPORT, upload(data), actor=a.inspector, now=MONDAY_10)
    store_photo(case, PhotoStage.REPORT, upload(data), actor=a.acceptor, now=MONDAY_10)
    wf.send_verify(case, actor=a.acceptor, inspector=world.person(world.inspector_2))
    store_photo(case, PhotoStage.REPORT, upload(data), actor=a.inspector_2, now=MONDAY_10)
    assert Photo.objects.filter(case=case).count() == 3 and len(stored_files(media)) == 6


def test_a_check_photo_needs_the_open_check_task(world: World, media: Path) -> None:
    a = world.actors
    case, data = reported(world), encoded(picture())
    with pytest.raises(Refusal):
        store_photo(case, PhotoStage.CHECK, upload(data), actor=a.inspector, now=MONDAY_10)
    wf.accept_case(case, actor=a.acceptor)
    wf.file_case(case, actor=a.shift_leader, condition=world.normal)
    wf.dispatch_case(case, actor=a.dispatcher, unit=world.org.department_a, reason="派")
    with pytest.raises(Refusal):  # another unit's after-photo
        store_photo(case, PhotoStage.HANDLING, upload(data), actor=a.handler_b, now=MONDAY_10)
    store_photo(case, PhotoStage.HANDLING, upload(data), actor=a.handler_a, now=MONDAY_10)
    wf.sign_case(case, actor=a.handler_a)
    wf.feedback_case(case, actor=a.handler_a, reason="已清理")
    wf.send_check(case, actor=a.acceptor, inspector=world.person(world.inspector_2))
    with pytest.raises(Refusal):
        store_photo(case, PhotoStage.CHECK, upload(data), actor=a.inspector, now=MONDAY_10)
    store_photo(case, PhotoStage.CHECK, upload(data), actor=a.inspector_2, now=MONDAY_10)
    stages = list(case.photos.order_by("id").values_list("stage", flat=True))
    assert stages == ["handling", "check"] and len(stored_files(media)) == 4


def dms(degrees: float) -> tuple[Any, ...]:
    seconds = round(degrees * 3600 * 100)
    return (seconds // 360000, seconds // 6000 % 60, IFDRational(seconds % 6000, 100))


def test_the_acceptor_is_warned_of_a_photo_taken_long_before_or_far_from_the_report(
    world: World, media: Path, settings: Any
) -> None:
    settings.PHOTO_MAX_AGE_HOURS, settings.PHOTO_MAX_DISTANCE_METRES = 24, 300
    case = reported(world)
    here = exif(taken="2026:11:23 09:30:00", lon=dms(WEST[0]), lat=dms(WEST[1]))
    fresh = store(world, case, encoded(picture(), exif=here))
    assert photos.doubts(case, fresh) == []
    # Three days older, and about 950 m east.
    east = exif(taken="2026:11:20 09:30:00", lon=dms(WEST[0] + 0.01), lat=dms(WEST[1]))
    old_far = store(world, case, encoded(picture(), exif=east))
    with translation.override("en"):
        said = photos.doubts(case, old_far)
    assert len(said) == 2 and "before it was sent" in said[0] and "3" in said[0]
    assert re.search(r"Taken 9\d\d m from the reported place", said[1])
    page = Client()
    page.force_login(world.acceptor)
    html = page.get(f"/cases/{case.number}/").content.decode()
    assert html.count('data-testid="photo-doubt"') == 2 and "EXIF" in html


def test_a_report_queued_offline_is_judged_from_when_it_was_seen_not_when_it_arrived(
    world: World, media: Path, settings: Any
) -> None:
    settings.PHOTO_MAX_AGE_HOURS = 24
    seen = datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI)  # two days before MONDAY_10
    case = reported(world, observed_at=seen)
    lon, lat = dms(WEST[0]), dms(WEST[1])
    at_the_time = encoded(picture(), exif=exif(taken="2026:11:21 08:55:00", lon=lon, lat=lat))
    assert photos.doubts(case, store(world, case, at_the_time)) == []
    days_before = encoded(picture(), exif=exif(taken="2026:11:19 08:55:00", lon=lon, lat=lat))
    assert len(photos.doubts(case, store(world, case, days_before))) == 1


def test_verify_audit_finds_a_photo_file_swapped_lost_or_without_its_event(
    world: World, media: Path
) -> None:
    case = reported(world)
    kept, swapped, lost = (store(world, case, encoded(picture())) for _ in range(3))
    call_command("verify_audit")
    (media / str(swapped.image.name)).write_bytes(encoded(picture((300, 300))))
    (media / str(lost.image.name)).unlink()
    stray = Photo.objects.create(
        case=case, stage=PhotoStage.REPORT, image=kept.image.name, thumbnail=kept.thumbnail.name,
        width=1, height=1, uploaded_at=MONDAY_10,
    )  # fmt: skip
    problems = sorted(f.problem for f in verify_photos())
    assert problems == sorted(
        [
            f"photo {swapped.pk}: its file differs from its event",
            f"photo {lost.pk}: its file is missing",
            f"photo {stray.pk} has no event in the trail",
        ]
    )
    with pytest.raises(CommandError, match="3 broken links"):
        call_command("verify_audit")
