"""The load test's database check: every session log and pain report the server acknowledged
is stored exactly once, for that patient, as the row the acknowledgement named.

`bench/locustfile.py` writes a line to its results file for each acknowledgement (a POST whose
final answer was a redirect to the saved log). `acknowledgements_read` reads those lines,
`stored_rows` fetches the matching rows from the database, and `check` compares the two. Only
`stored_rows` and `duplicate_tokens` touch Django; the rest is plain Python, so the tests can
exercise the decision without a server or locust.
"""

import datetime
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SESSION_LOG = "session log"
PAIN_REPORT = "pain report"
KINDS = (SESSION_LOG, PAIN_REPORT)


@dataclass(frozen=True)
class Acknowledgement:
    """The server said it kept this submission: `pk` is the row its redirect pointed at."""

    kind: str
    patient: str  # the patient's sign-in email
    token: str
    pk: int

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.patient, self.token)


@dataclass(frozen=True)
class StoredRow:
    kind: str
    patient: str
    token: str
    pk: int

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.patient, self.token)


@dataclass
class CheckResult:
    submissions: int = 0  # distinct (kind, patient, token) acknowledged
    acknowledgements: int = 0  # acknowledging answers, repeats and retries included
    lost: list[tuple[str, str, str]] = field(default_factory=list)
    doubled: list[tuple[str, str, str]] = field(default_factory=list)
    # Acknowledged as one row but stored as another (a retry answered with a second log).
    mismatched: list[tuple[str, str, str]] = field(default_factory=list)
    # Any token stored more than once in a table, whoever it belongs to.
    duplicate_tokens: list[tuple[str, str]] = field(default_factory=list)
    # Stored during the run but never acknowledged: a request whose answer the client never
    # read and did not retry (the run ended first). Not an error: the phone would retry later.
    unacknowledged: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not (self.lost or self.doubled or self.mismatched or self.duplicate_tokens)


def acknowledgements_read(paths: Iterable[Path]) -> list[Acknowledgement]:
    """The acknowledgement lines of the locustfile's results files (JSON lines; other lines
    are the request log and are skipped)."""
    found = []
    for path in paths:
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                record = json.loads(line)
                if record.get("event") != "ack":
                    continue
                if record["kind"] not in KINDS:
                    raise ValueError(f"{path}: unknown kind {record['kind']!r}")
                found.append(
                    Acknowledgement(
                        kind=record["kind"],
                        patient=record["patient"],
                        token=record["token"],
                        pk=int(record["pk"]),
                    )
                )
    return found


def check(
    acknowledgements: Iterable[Acknowledgement],
    stored: Iterable[StoredRow],
    duplicate_tokens: Iterable[tuple[str, str]] = (),
) -> CheckResult:
    """Compare what the server acknowledged with what the database holds. `stored` holds every
    row whose token was acknowledged and every row written during the run."""
    acknowledged: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    result = CheckResult()
    for ack in acknowledgements:
        acknowledged[ack.key].add(ack.pk)
        result.acknowledgements += 1
    rows: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for row in stored:
        rows[row.key].append(row.pk)
    result.submissions = len(acknowledged)
    for key, pks in sorted(acknowledged.items()):
        found = rows.get(key, [])
        if not found:
            result.lost.append(key)
        elif len(found) > 1:
            result.doubled.append(key)
        elif pks != set(found):
            result.mismatched.append(key)
    result.unacknowledged = sorted(key for key in rows if key not in acknowledged)
    result.duplicate_tokens = sorted(duplicate_tokens)
    return result


def stored_rows(*, clinic, tokens: Iterable[str], since: datetime.datetime) -> list[StoredRow]:
    """Every session log and pain report whose token is in `tokens` (any patient, any clinic),
    and every one the clinic's patients stored since `since`."""
    from django.db.models import Q

    from patients.models import PainReport, SessionLog

    tokens = list(set(tokens))
    found = []
    for kind, model in ((SESSION_LOG, SessionLog), (PAIN_REPORT, PainReport)):
        rows = model.objects.filter(
            Q(client_token__in=tokens) | Q(clinic=clinic, created_at__gte=since)
        ).values_list("pk", "client_token", "patient__user__email", "patient__email")
        for pk, token, account_email, record_email in rows:
            found.append(StoredRow(kind, account_email or record_email, str(token), pk))
    return found


def duplicate_tokens() -> list[tuple[str, str]]:
    """Tokens stored more than once in either table, across all patients. The unique
    constraints are per patient, so this also catches one token used by two patients."""
    from django.db.models import Count

    from patients.models import PainReport, SessionLog

    found = []
    for kind, model in ((SESSION_LOG, SessionLog), (PAIN_REPORT, PainReport)):
        repeated = (
            model.objects.values("client_token")
            .annotate(rows=Count("pk"))
            .filter(rows__gt=1)
            .values_list("client_token", flat=True)
        )
        found.extend((kind, str(token)) for token in repeated)
    return found
