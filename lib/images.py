"""Exercise pictures: checked by what the file contains, not by its name, and re-encoded.

Re-encoding drops everything but the pixels and the colour profile (camera EXIF, GPS position,
comments), turns a phone photo the right way up, and caps the width so a patient's phone does
not download a 12-megapixel photo to see a stretch. The stored name is generated, so nothing a
user typed as a file name reaches the storage.
"""

import io
import math
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_WIDTH = 1200
# A 5 MB file can still declare an enormous canvas (a "decompression bomb"); anything above
# this many pixels is refused before it is decoded. 40 MP covers any phone or camera photo.
MAX_PIXELS = 40_000_000
# Pillow's format name -> the extension the stored file gets. The format stays the same, so a
# PNG line drawing stays lossless and a photo stays a JPEG or WebP.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# The pixel layouts each format is saved in; anything else (CMYK, 16-bit, ...) is converted.
STORED_MODES = {
    "JPEG": ("RGB", "L"),
    "PNG": ("1", "L", "LA", "P", "RGB", "RGBA"),
    "WEBP": ("RGB", "RGBA"),
}
ACCEPT = "image/jpeg,image/png,image/webp"
QUALITY = 85


class PreparedImage(ContentFile):
    """A picture that has been through `prepare_image`; services store it as it is."""


def _refusal(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _not_a_picture() -> ValidationError:
    return _refusal(
        _("This file is not a picture we can use. Upload a JPEG, PNG or WebP image."),
        "not_an_image",
    )


def _size_text(size: int) -> str:
    # Rounded up, so a file just over the limit never reads as "5.0 MB".
    return f"{math.ceil(size * 10 / (1024 * 1024)) / 10:.1f}"


def prepare_image(upload) -> PreparedImage:
    """Check an uploaded file and return the picture to store, or raise ValidationError with a
    message saying what is allowed."""
    if isinstance(upload, PreparedImage):
        return upload
    size = upload.size
    if size is None or size > MAX_UPLOAD_BYTES:
        raise _refusal(
            _(
                "This picture is %(size)s MB; pictures can be at most 5 MB. Save it smaller or "
                "as a JPEG, and upload it again."
            )
            % {"size": _size_text(size or 0)},
            "too_large",
        )
    if size == 0:
        raise _refusal(_("This file is empty. Upload a JPEG, PNG or WebP image."), "empty")
    try:
        with warnings.catch_warnings():
            # Pillow warns (rather than refuses) between MAX_IMAGE_PIXELS and twice that.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as probe:
                image_format = probe.format
                width, height = probe.size
                if image_format not in FORMATS:
                    raise _refusal(
                        _("This is a %(format)s picture. Upload a JPEG, PNG or WebP image instead.")
                        % {"format": image_format},
                        "format",
                    )
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels(width, height)
                probe.verify()
            if image_format == "JPEG" and not _jpeg_is_complete(upload):
                raise _not_a_picture()
            # verify() leaves the image unusable; decode it again from the start.
            upload.seek(0)
            with Image.open(upload) as image:
                if image.format not in FORMATS:
                    raise _not_a_picture()
                icc_profile = image.info.get("icc_profile")
                if image.format == "JPEG":
                    # Decode a big JPEG at a reduced scale straight away: less memory and time.
                    # Square, so the width is still enough after an EXIF quarter turn.
                    image.draft(image.mode, (MAX_WIDTH, MAX_WIDTH))
                image.load()
                picture = _upright_and_narrow(image)
                content = _encode(picture, image_format, icc_profile)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(None, None) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        # What Pillow raises for text, truncated or corrupt files and unsupported variants.
        raise _not_a_picture() from None
    return PreparedImage(content, name=f"{uuid.uuid4().hex}.{FORMATS[image_format]}")


def _jpeg_is_complete(upload) -> bool:
    """Importing WeasyPrint (for the PDF handouts) sets Pillow's process-wide
    LOAD_TRUNCATED_IMAGES, after which a JPEG cut off half-way decodes without complaint. So
    look for the end-of-image marker after the last scan: inside a scan a 0xFF byte is always
    followed by 0x00 or a restart marker, so neither marker can appear there by chance."""
    upload.seek(0)
    content = upload.read()
    return content.rfind(b"\xff\xd9") > content.rfind(b"\xff\xda") >= 0


def _too_many_pixels(width, height) -> ValidationError:
    if width and height:
        message = _(
            "This picture is %(width)d × %(height)d pixels, which is too many to process. "
            "Make it smaller (for example 2000 pixels wide) and upload it again."
        ) % {"width": width, "height": height}
    else:
        message = _(
            "This picture has too many pixels to process. Make it smaller (for example 2000 "
            "pixels wide) and upload it again."
        )
    return _refusal(message, "too_many_pixels")


def _upright_and_narrow(image: Image.Image) -> Image.Image:
    # Phones store photos sideways with an EXIF note saying how to turn them; that note is
    # about to be dropped, so apply it to the pixels first.
    picture = ImageOps.exif_transpose(image)
    if picture.width > MAX_WIDTH:
        height = max(1, round(picture.height * MAX_WIDTH / picture.width))
        picture = picture.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
    return picture


def _encode(picture: Image.Image, image_format: str, icc_profile: bytes | None) -> bytes:
    if picture.mode == "CMYK":
        # A CMYK profile would be wrong on the RGB result; plain conversion is close enough.
        picture, icc_profile = picture.convert("RGB"), None
    elif picture.mode not in STORED_MODES[image_format]:
        keep_alpha = image_format != "JPEG" and _has_alpha(picture)
        picture = picture.convert("RGBA" if keep_alpha else "RGB")
    # Nothing from the original's metadata is carried over but the colour profile and, for
    # a palette PNG, which colour is transparent.
    transparency = picture.info.get("transparency") if image_format == "PNG" else None
    picture.info = {} if transparency is None else {"transparency": transparency}
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if image_format == "JPEG":
        options.update(quality=QUALITY, optimize=True, progressive=True)
    elif image_format == "WEBP":
        options.update(quality=QUALITY, method=4)
    else:
        options.update(optimize=True)
    buffer = io.BytesIO()
    picture.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def _has_alpha(picture: Image.Image) -> bool:
    return "A" in picture.getbands() or "transparency" in picture.info
