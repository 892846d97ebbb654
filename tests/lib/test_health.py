"""/healthz, the load balancer's question: can this app server reach its database?"""

import logging

from django.db import OperationalError


class BrokenConnection:
    def cursor(self):
        raise OperationalError('connection to server at "db.internal" (10.0.0.5) failed: secret')


def test_healthz_answers_ok_with_one_query_and_no_cookie(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_healthz_answers_head_and_refuses_writes(client, db):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_healthz_needs_no_sign_in_and_ignores_one(client, therapist):
    client.force_login(therapist)
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_healthz_says_503_without_the_details_when_the_database_is_down(
    client, db, monkeypatch, caplog
):
    monkeypatch.setattr("lib.health.connection", BrokenConnection())
    with caplog.at_level(logging.ERROR, logger="lib.health"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "10.0.0.5" not in body and "secret" not in body
    # The reason is for the operator's log, not the probe's answer.
    assert "10.0.0.5" in caplog.text
