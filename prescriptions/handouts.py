"""The printable plan handout: rendered to PDF (its file name, and the page's own files read
from storage rather than fetched), and the way in it gives the patient (a printed invitation's
short address and QR code, or where to sign in), by where the patient stands with signing in."""

import datetime
import mimetypes
import posixpath
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote, urlsplit

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import default_storage
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.text import slugify

from clinics.models import AccessLink, AccessPurpose, User
from clinics.services import ACCESS_LINK_LIFETIME, account_in_use, invitation_code_url
from lib.svg import ModuleGrid, module_grid

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


# What the plan page offers once a plan is saved, by where the patient stands with signing in.
class HandoverState(StrEnum):
    SIGNS_IN = "signs_in"  # they already sign in: they see the plan on Today
    INVITED = "invited"  # an invitation (emailed or printed) still works
    INVITATION_ENDED = "invitation_ended"  # invited before, but it expired unused
    NOT_INVITED = "not_invited"  # an email on the record, no invitation yet
    NO_EMAIL = "no_email"  # no email: the printed handout is their copy of the plan
    DISCHARGED = "discharged"  # nothing to hand over until the record is reactivated


@dataclass(frozen=True)
class Handover:
    state: HandoverState
    email: str = ""
    invited_at: datetime.datetime | None = None
    invitation_expires_at: datetime.datetime | None = None


def patient_handover(*, patient) -> Handover:
    """Where the patient stands with signing in, in at most one query: their account, with the
    newest invitation that was neither used nor replaced."""
    if patient.status == "discharged":
        return Handover(state=HandoverState.DISCHARGED, email=patient.email)
    user = None
    if patient.user_id is not None:
        newest = AccessLink.objects.filter(
            user=OuterRef("pk"),
            purpose=AccessPurpose.INVITATION,
            used_at__isnull=True,
            revoked_at__isnull=True,
        ).order_by("-created_at")
        user = (
            User.objects.filter(pk=patient.user_id)
            .annotate(
                invited_at=Subquery(newest.values("created_at")[:1]),
                invitation_expires_at=Subquery(newest.values("expires_at")[:1]),
            )
            .only("email", "password", "last_login")
            .first()
        )
    if user is not None and account_in_use(user):
        return Handover(state=HandoverState.SIGNS_IN, email=user.email)
    if not patient.email:
        return Handover(state=HandoverState.NO_EMAIL)
    if user is not None and user.invited_at is not None:
        live = user.invitation_expires_at > timezone.now()
        return Handover(
            state=HandoverState.INVITED if live else HandoverState.INVITATION_ENDED,
            email=patient.email,
            invited_at=user.invited_at,
            invitation_expires_at=user.invitation_expires_at,
        )
    return Handover(state=HandoverState.NOT_INVITED, email=patient.email)


@dataclass(frozen=True)
class HandoutInvitation:
    """The way in printed on a handout: the short address (also in the QR code) that opens the
    set-up page, and until when it works."""

    url: str
    qr_code: ModuleGrid
    expires_at: datetime.datetime


def handout_invitation(*, code: str, base_url: str) -> HandoutInvitation:
    url = invitation_code_url(code=code, base_url=base_url)
    return HandoutInvitation(
        url=url,
        qr_code=handout_qr_code(url),
        expires_at=timezone.now() + ACCESS_LINK_LIFETIME[AccessPurpose.INVITATION],
    )


def handout_qr_code(url: str) -> ModuleGrid:
    # segno encodes the address; the template draws the dark modules as rectangles, inline, so
    # the browser page and WeasyPrint show the same code with nothing fetched.
    return module_grid(segno.make(url, error="m").matrix, border=4)
