"""The printable plan handout rendered to PDF: its file name, and the page's own files read
from storage rather than fetched."""

import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import default_storage
from django.utils.text import slugify

from .models import Plan


def local_file(url: str, *, origin: str) -> tuple[bytes, str]:
    """The bytes and content type behind a static or media URL of this site, read from the
    static files and the media storage. Anything else is refused: the PDF is rendered without
    the network, so clinics behind a firewall get the same handout, and no URL in the page can
    make the server fetch from elsewhere."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        raise ValueError(f"The handout only loads this site's files, not {url}")
    path = unquote(parts.path)
    static_prefix = urlsplit(settings.STATIC_URL).path
    media_prefix = urlsplit(settings.MEDIA_URL).path
    if path.startswith(static_prefix):
        body = _static_file(_relative_name(path.removeprefix(static_prefix)))
    elif path.startswith(media_prefix):
        with default_storage.open(_relative_name(path.removeprefix(media_prefix))) as file:
            body = file.read()
    else:
        raise ValueError(f"The handout only loads static and media files, not {url}")
    return body, mimetypes.guess_type(path)[0] or "application/octet-stream"


def _relative_name(name: str) -> str:
    normalised = posixpath.normpath(name)
    if not name or normalised in (".", "..") or normalised.startswith(("/", "../")):
        raise ValueError(f"Not a file name inside the folder: {name!r}")
    return normalised


def _static_file(name: str) -> bytes:
    # The finders find source files (development, tests); after collectstatic the storage holds
    # the files under the hashed names that {% static %} writes into the page.
    found = finders.find(name)
    if found:
        with open(found, "rb") as file:
            return file.read()
    with staticfiles_storage.open(name) as file:
        return file.read()


def handout_filename(plan: Plan) -> str:
    stem = "-".join(part for part in (slugify(plan.title), slugify(plan.patient.last_name)) if part)
    return f"{stem or 'plan'}.pdf"


def render_pdf(html: str, *, base_url: str) -> bytes:
    # Imported here, not at the top: WeasyPrint takes most of a second to import and needs
    # Pango, so only a PDF download pays for it, and a machine without Pango still serves
    # every other page.
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    base = urlsplit(base_url)
    origin = f"{base.scheme}://{base.netloc}"

    class LocalFilesFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            body, content_type = local_file(url, origin=origin)
            return URLFetcherResponse(url, body, headers={"Content-Type": content_type})

    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=LocalFilesFetcher())
    return document.write_pdf(pdf_tags=True)
