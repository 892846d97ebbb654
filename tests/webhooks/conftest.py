"""A receiving system on the loopback address, and a clinic with a patient on a plan."""

import datetime
import hashlib
import hmac
import json
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from console.services import webhook_add
from tests.clinics.factories import ClinicAdminFactory
from tests.exercises.factories import ExerciseFactory
from tests.prescriptions.factories import prescribe
from webhooks import events


class Receiver:
    """Takes POSTs at its address and answers each with the next of `answers` (200 once they
    run out), keeping the headers and raw body of every request."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: deque[int] = deque()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                receiver.requests.append(
                    {"headers": dict(self.headers.items()), "body": self.rfile.read(length)}
                )
                status = receiver.answers.popleft() if receiver.answers else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", receiver.url + "elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def payloads(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def signature_valid(secret: str, request: dict) -> bool:
    fields = dict(part.split("=", 1) for part in request["headers"]["Rehabit-Signature"].split(","))
    expected = hmac.new(
        secret.encode(), fields["t"].encode() + b"." + request["body"], hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.stop()


@dataclass
class World:
    clinic: object
    admin: object
    therapist: object
    patient: object
    plan: object


@pytest.fixture
def world(clinic, clinic_admin, therapist, patient):
    plan = prescribe(
        patient,
        therapist,
        ExerciseFactory(clinic=clinic, name="Knee-to-chest stretch"),
        start_date=clinic.today() - datetime.timedelta(days=7),
    )
    return World(clinic, clinic_admin, therapist, patient, plan)


def hook(world, receiver, *, kinds=None, **fields):
    return webhook_add(
        clinic=world.clinic,
        added_by=world.admin,
        url=receiver.url,
        events=list(kinds or events.KINDS),
        **fields,
    )


@pytest.fixture
def other_admin(other_clinic):
    return ClinicAdminFactory(clinic=other_clinic, full_name="Olga Other")
