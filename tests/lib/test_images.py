"""Exercise pictures are checked by content, capped in size and pixels, resized and stripped."""

import io
import random
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from lib.images import MAX_UPLOAD_BYTES, MAX_WIDTH, PreparedImage, prepare_image


def picture_bytes(size=(300, 200), image_format="PNG", mode="RGB", **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "teal" if mode != "1" else 1).save(
        buffer, format=image_format, **save_options
    )
    return buffer.getvalue()


def upload(content: bytes, name="picture.png", content_type="image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def opened(prepared: PreparedImage) -> Image.Image:
    prepared.seek(0)
    return Image.open(io.BytesIO(prepared.read()))


@pytest.mark.parametrize(
    ("image_format", "extension"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")]
)
def test_jpeg_png_and_webp_are_accepted_and_keep_their_format(image_format, extension):
    prepared = prepare_image(upload(picture_bytes(image_format=image_format), name="x.bin"))
    assert opened(prepared).format == image_format
    # The stored name is generated: nothing the uploader named the file survives.
    assert re.fullmatch(rf"[0-9a-f]{{32}}\.{extension}", prepared.name)


def test_a_wide_picture_is_resized_to_the_maximum_width_keeping_its_proportions():
    prepared = prepare_image(upload(picture_bytes(size=(3000, 1500), image_format="JPEG")))
    assert opened(prepared).size == (MAX_WIDTH, 600)


def test_a_small_picture_is_not_enlarged():
    prepared = prepare_image(upload(picture_bytes(size=(640, 480))))
    assert opened(prepared).size == (640, 480)


def test_camera_metadata_is_dropped_and_the_photo_turned_upright():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: stored sideways, to be turned 90° clockwise
    content = picture_bytes(size=(400, 200), image_format="JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(content)).getexif()[0x010F] == "PhoneMaker"

    picture = opened(prepare_image(upload(content, name="photo.jpg")))
    assert picture.size == (200, 400)
    assert dict(picture.getexif()) == {}
    assert "exif" not in picture.info


def test_transparency_survives_in_a_png():
    picture = opened(prepare_image(upload(picture_bytes(mode="RGBA"))))
    assert picture.mode == "RGBA"


def test_a_text_file_renamed_to_png_is_refused():
    renamed = upload(b"name,steps\ncat-camel,arch your back\n", name="picture.png")
    with pytest.raises(ValidationError) as refused:
        prepare_image(renamed)
    assert refused.value.messages == [
        "This file is not a picture we can use. Upload a JPEG, PNG or WebP image."
    ]


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("pillow_tolerates_truncation", [False, True])
def test_a_truncated_picture_is_refused(monkeypatch, image_format, pillow_tolerates_truncation):
    # WeasyPrint turns Pillow's tolerance on for the whole process when it is imported.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", pillow_tolerates_truncation)
    noise = Image.frombytes("RGB", (400, 300), random.Random(7).randbytes(400 * 300 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format=image_format)
    content = buffer.getvalue()
    with pytest.raises(ValidationError, match="not a picture we can use"):
        prepare_image(upload(content[: len(content) // 2], name="cut.img"))


def test_a_picture_over_5_mb_is_refused_with_the_limit_in_the_message():
    # A real picture with padding after it: refused for its size alone.
    content = picture_bytes() + b"\0" * MAX_UPLOAD_BYTES
    with pytest.raises(ValidationError) as refused:
        prepare_image(upload(content))
    assert refused.value.messages == [
        "This picture is 5.1 MB; pictures can be at most 5 MB. Save it smaller or as a JPEG, "
        "and upload it again."
    ]


def test_a_picture_of_exactly_5_mb_is_accepted():
    content = picture_bytes()
    content += b"\0" * (MAX_UPLOAD_BYTES - len(content))
    assert prepare_image(upload(content)).name.endswith(".png")


def test_other_picture_formats_are_refused_saying_which_are_allowed():
    with pytest.raises(ValidationError) as refused:
        prepare_image(upload(picture_bytes(image_format="GIF"), name="anim.gif"))
    assert refused.value.messages == [
        "This is a GIF picture. Upload a JPEG, PNG or WebP image instead."
    ]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="This file is empty"):
        prepare_image(upload(b""))


def test_a_small_file_declaring_an_enormous_canvas_is_refused_before_decoding():
    # 50 megapixels of a single colour compress to a few kilobytes: a decompression bomb.
    content = picture_bytes(size=(10_000, 5_000), mode="1")
    assert len(content) < 100_000
    with pytest.raises(ValidationError, match="10000 × 5000 pixels, which is too many"):
        prepare_image(upload(content))


@pytest.mark.parametrize("pillow_limit", [10_000, 40_000])
def test_pillows_own_decompression_bomb_checks_become_a_clear_message(monkeypatch, pillow_limit):
    # Above MAX_IMAGE_PIXELS Pillow warns, above twice that it refuses; both are refusals here.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", pillow_limit)
    with pytest.raises(ValidationError, match="too many pixels to process"):
        prepare_image(upload(picture_bytes(size=(300, 200))))


def test_a_stored_progressive_jpeg_can_be_uploaded_again():
    stored = prepare_image(upload(picture_bytes(size=(2000, 1000), image_format="JPEG")))
    again = prepare_image(upload(stored.read(), name="again.jpg"))
    assert opened(again).size == (MAX_WIDTH, 600)
