"""The load test's users: patients' phones logging sessions and pain, therapists on the caseload
dashboard and patient pages, and one user timing the bare view as the reference.

Run by `python -m bench.load`, which builds the data, starts gunicorn and runs locust headless
with this file; it passes the accounts and where to write results in the JSON file named by
REHABIT_LOAD_CONFIG. This file talks HTTP only: it never imports Django (locust patches the
standard library with gevent).

Phones do not submit a form once and cleanly. Besides plain submissions, patients here
- tap Send twice: the first request is abandoned as the second goes out, and both reach the
  server ("… (double tap)");
- send it again after it was saved (Back and resend, or an app that retries anyway) and must
  get the same log back ("… (resend)");
- lose the answer: the request reaches the server, the phone gives up waiting and closes the
  connection, and retries a little later with the same form and token ("… (retry)").
A submission counts as acknowledged when the POST is answered with the redirect to the saved
log or report; each acknowledgement is written to the results file with the patient, the token
and the row it named, and `bench/load_check.py` checks them against the database.
"""

import contextlib
import itertools
import json
import os
import random
import re
import socket
import threading
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from locust import HttpUser, between, constant_pacing, events, task
from locust.exception import StopUser

try:
    CONFIG = json.loads(Path(os.environ["REHABIT_LOAD_CONFIG"]).read_text(encoding="utf-8"))
except KeyError:
    raise SystemExit(
        "REHABIT_LOAD_CONFIG is not set. Run the load test with `python -m bench.load`, which "
        "prepares the accounts and the server."
    ) from None

# The kinds of submission, as bench/load_check.py names them.
SESSION_LOG = "session log"
PAIN_REPORT = "pain report"

SIGN_IN = "/sign-in/"
TODAY = "/patients/me/today/"
PAIN = "/patients/me/pain/"
CASELOAD = "/patients/"
BARE = "/bench/bare/"
SESSION_LINK = re.compile(r'href="(/patients/me/plans/\d+/session/)"')
SESSION_SAVED = re.compile(r"^/patients/me/sessions/(\d+)/$")
PAIN_SAVED = re.compile(r"^/patients/me/pain/(\d+)/$")
ALERT = re.compile(r'<div class="alert alert-danger"[^>]*>(.*?)</div>', re.DOTALL)

# How a submission is sent, by weight: mostly once, the rest in the ways phones repeat one.
SUBMISSION_STYLES = {"once": 70, "double tap": 10, "resend": 10, "retry": 10}


class _Results:
    """One JSON-lines file per locust process: every request, every acknowledgement."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.file = (folder / f"results-{os.getpid()}.jsonl").open("a", encoding="utf-8")
        self.lock = threading.Lock()

    def write(self, **record) -> None:
        with self.lock:
            self.file.write(json.dumps(record) + "\n")
            self.file.flush()


RESULTS = _Results(Path(CONFIG["results"]))


@events.request.add_listener
def _request_logged(request_type, name, response_time, response_length, exception=None, **kwargs):
    started = kwargs.get("start_time") or time.time() - response_time / 1000
    RESULTS.write(
        event="request",
        name=name,
        method=request_type,
        start=round(started, 4),
        ms=round(response_time, 2),
        error=None if exception is None else str(exception)[:300],
    )


@events.user_error.add_listener
def _user_error(user_instance, exception, tb, **kwargs):
    RESULTS.write(
        event="user error",
        user=type(user_instance).__name__,
        error=f"{type(exception).__name__}: {exception}"[:300],
        at=round(time.time(), 4),
    )


class _FormReader(HTMLParser):
    """The fields a browser would send for each POST form of a page: text, hidden and number
    inputs with their values, checked radios and boxes, each select's chosen option."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._form = None
        self._select = None
        self._select_first = None
        self._select_chosen = False
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = []
            self.forms.append(self._form)
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("radio", "checkbox") and "checked" not in attrs:
                return
            self._form.append((name, attrs.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select is not None:
            value = attrs.get("value") or ""
            if self._select_first is None:
                self._select_first = value
            if "selected" in attrs and not self._select_chosen:
                self._form.append((self._select, value))
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if self._form is None:
            return
        if tag == "select" and self._select is not None:
            if not self._select_chosen and self._select_first is not None:
                self._form.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form.append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_with(html: str, field: str) -> list[tuple[str, str]]:
    """The fields of the page's POST form that has `field` (the sign-out form in the header
    is another POST form)."""
    reader = _FormReader()
    reader.feed(html)
    for fields in reader.forms:
        if any(name == field for name, _ in fields):
            return fields
    raise ValueError(f"no form with a {field!r} field on the page")


def _alert_text(html: str) -> str:
    """What the page's error box says, as a person would read it (the form shown again)."""
    box = ALERT.search(html)
    if box is None:
        return ""
    return " ".join(re.sub(r"<[^>]+>", " ", box.group(1)).split())[:200]


def replaced(fields: list[tuple[str, str]], **values) -> list[tuple[str, str]]:
    kept = [(name, value) for name, value in fields if name not in values]
    return kept + [(name, str(value)) for name, value in values.items()]


class _SignedIn(HttpUser):
    abstract = True
    email = ""

    def sign_in(self, email: str) -> None:
        self.email = email
        page = self.client.get(SIGN_IN, name="sign in (form)")
        page.raise_for_status()
        fields = replaced(
            form_with(page.text, "username"),
            username=email,
            password=CONFIG["password"],
        )
        with self.client.post(
            SIGN_IN,
            data=fields,
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or location.startswith(SIGN_IN):
                response.failure(f"sign-in as {email} refused: {response.status_code} {location}")
                # Without a session the user's pages are all redirects; stop it rather than
                # count a run of failures that only repeat this one.
                raise StopUser()

    def page(self, path: str, name: str):
        """GET a page that must answer 200 (a redirect here means the session was lost)."""
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(
                    f"{response.status_code} {response.headers.get('Location', '')}".strip()
                )
            return response


_patient_numbers = itertools.count()
_therapist_numbers = itertools.count()


class PatientUser(_SignedIn):
    """A patient's phone: today's routine, a session logged, now and then a pain report."""

    weight = 10
    # Between one thing and the next: reading the routine, doing the exercises (shortened).
    wait_time = between(4, 12)

    def on_start(self):
        patients = CONFIG["patients"]
        self.sign_in(patients[next(_patient_numbers) % len(patients)])

    @task(2)
    def today(self):
        self.page(TODAY, "today")

    @task(5)
    def log_session(self):
        today = self.page(TODAY, "today")
        links = SESSION_LINK.findall(today.text) if today.status_code == 200 else []
        if not links:
            return
        # Each start of a session gets its own token in the address (the page redirects a
        # link without one to a new one): asked for here directly, as that redirect would.
        form = self.page(f"{random.choice(links)}?token={uuid.uuid4()}", "session form")
        if form.status_code != 200:
            return
        before = random.randint(0, 5)
        fields = form_with(form.text, "client_token")
        # Each exercise's "done, partly or skipped" has no answer until the patient gives one:
        # the whole dose done, as the form's numbers already say.
        completed = {
            name.replace("-plan_item", "-status"): "completed"
            for name, _value in fields
            if name.startswith("entries-") and name.endswith("-plan_item")
        }
        fields = replaced(
            fields,
            **completed,
            pain_before=before,
            pain_after=max(0, min(10, before + random.choice((-1, 0, 0, 1)))),
            difficulty="about_right",
        )
        path = urlsplit(form.url).path
        self.submit(SESSION_LOG, path, fields, SESSION_SAVED, "session saved")

    @task(1)
    def report_pain(self):
        form = self.page(PAIN, "pain form")
        if form.status_code != 200:
            return
        fields = replaced(
            form_with(form.text, "client_token"),
            score=random.randint(0, 6),
            body_location="Lower back",
        )
        self.submit(PAIN_REPORT, PAIN, fields, PAIN_SAVED, "pain report saved")

    def submit(self, kind, path, fields, saved, saved_name):
        token = dict(fields)["client_token"]
        style = random.choices(list(SUBMISSION_STYLES), weights=SUBMISSION_STYLES.values())[0]
        if style == "double tap":
            self.post_unanswered(path, fields, f"{kind} (abandoned)", wait=0)
            location = self.post(kind, f"{kind} (double tap)", path, fields, saved, token)
        elif style == "retry":
            self.post_unanswered(
                path, fields, f"{kind} (answer lost)", wait=random.uniform(0.02, 0.4)
            )
            time.sleep(random.uniform(0.5, 3))
            location = self.post(kind, f"{kind} (retry)", path, fields, saved, token)
        else:
            location = self.post(kind, kind, path, fields, saved, token)
            if location and style == "resend":
                again = self.post(kind, f"{kind} (resend)", path, fields, saved, token)
                if again and again != location:
                    # The same token answered with another row: a doubled log.
                    RESULTS.write(
                        event="user error",
                        user=type(self).__name__,
                        error=f"{kind} {token}: resend answered {again}, first {location}",
                        at=round(time.time(), 4),
                    )
        if location:
            self.page(location, saved_name)

    def post(self, kind, name, path, fields, saved, token) -> str | None:
        """POST the form; return the saved row's address if the server acknowledged it."""
        with self.client.post(
            path, data=fields, name=name, allow_redirects=False, catch_response=True
        ) as response:
            location = urlsplit(response.headers.get("Location", "")).path
            match = saved.match(location)
            if response.status_code not in (302, 303) or match is None:
                said = _alert_text(response.text) if response.status_code == 200 else ""
                response.failure(f"not saved: {response.status_code} {location} {said}".strip())
                return None
        RESULTS.write(
            event="ack", kind=kind, patient=self.email, token=token, pk=int(match.group(1))
        )
        return location

    def post_unanswered(self, path, fields, name, *, wait: float) -> None:
        """Send the POST on a connection of its own and close it after `wait` seconds without
        reading the answer, as a phone does when the user taps again or the network drops. The
        server gets the whole request and carries on; the client never learns the outcome."""
        parts = urlsplit(self.host)
        body = urlencode(fields).encode()
        cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.client.cookies)
        request = (
            f"POST {path} HTTP/1.1\r\n"
            f"Host: {parts.netloc}\r\n"
            f"Cookie: {cookies}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode() + body
        started = time.time()
        exception = None
        try:
            with socket.create_connection((parts.hostname, parts.port or 80), timeout=10) as conn:
                conn.sendall(request)
                if wait:
                    conn.settimeout(wait)
                    with contextlib.suppress(TimeoutError):
                        conn.recv(1)
        except OSError as error:
            exception = error
        events.request.fire(
            request_type="POST",
            name=name,
            response_time=(time.time() - started) * 1000,
            response_length=0,
            exception=exception,
            context={},
            start_time=started,
        )


class TherapistUser(_SignedIn):
    """A therapist between patients: the caseload dashboard, then a patient's review page."""

    fixed_count = len(CONFIG["therapists"])
    wait_time = between(3, 10)

    def on_start(self):
        therapists = CONFIG["therapists"]
        therapist = therapists[next(_therapist_numbers) % len(therapists)]
        self.patients = therapist["patients"]
        self.sign_in(therapist["email"])

    @task(3)
    def my_patients(self):
        self.page(f"{CASELOAD}?scope=mine", "dashboard (mine)")

    @task(1)
    def whole_clinic(self):
        self.page(f"{CASELOAD}?scope=all", "dashboard (all)")

    @task(3)
    def patient_page(self):
        if self.patients:
            self.page(f"{CASELOAD}{random.choice(self.patients)}/", "patient page")


class BareViewUser(_SignedIn):
    """The reference: the bare view behind the same middleware, once a second all run long."""

    fixed_count = 1
    wait_time = constant_pacing(1)

    def on_start(self):
        self.sign_in(CONFIG["reference"])

    @task
    def bare(self):
        self.page(BARE, "bare view")
