import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinics import audit
from clinics.languages import language_for
from clinics.models import AuditAction, Clinic, Role, User
from clinics.services import (
    account_in_use,
    email_used_elsewhere,
    invitation_code_issue,
    user_create,
    user_invite,
    user_language_set,
)
from lib.once import create_once
from prescriptions.models import Plan, PlanItem, PlanStatus
from prescriptions.services import plan_status_change
from push.services import notification_enqueue
from webhooks import events as webhook_events
from webhooks.services import event_emit

from . import pain, red_flags
from .models import (
    AlertKind,
    EntryStatus,
    PainReport,
    Patient,
    PatientStatus,
    ReminderSettings,
    SessionLog,
    SessionLogEntry,
    SessionLogRevision,
    SkipReason,
)
from .selectors.duplicates import patient_matches
from .selectors.records import reminder_sessions_per_day
from .summary import summary_refresh

DUPLICATE_REASON_MAX_LENGTH = 200


class PatientMatchesFound(ValidationError):
    """The new patient's email, or name and date of birth, match records of the clinic, and no
    reason was given for adding another one. `matches` are those records."""

    def __init__(self, matches: list[Patient]):
        super().__init__(
            ngettext(
                "This may be a patient the clinic already has. Open that record, or say why "
                "this is a different person.",
                "This may be a patient the clinic already has. Open one of those records, or "
                "say why this is a different person.",
                len(matches),
            ),
            code="duplicate",
        )
        self.matches = matches


@transaction.atomic
def patient_create(
    *,
    clinic: Clinic,
    first_name: str,
    last_name: str,
    primary_therapist: User | None = None,
    email: str = "",
    date_of_birth: datetime.date | None = None,
    phone: str = "",
    condition: str = "",
    language: str = "",
    duplicate_reason: str | None = None,
) -> Patient:
    """Add a patient record. Someone adding a patient by hand passes `duplicate_reason` ("" when
    they gave none): a record of the clinic, active or discharged, with the same email, or the
    same first and last name and date of birth, then stops the save with PatientMatchesFound
    unless a reason is given, which the audit trail keeps. Data generators pass None and are
    not checked."""
    if primary_therapist is not None and (
        primary_therapist.clinic_id != clinic.pk or not primary_therapist.is_clinic_staff
    ):
        raise ValidationError({"primary_therapist": _("Choose a therapist of this clinic.")})
    matches = []
    if duplicate_reason is not None:
        duplicate_reason = " ".join(duplicate_reason.split())[:DUPLICATE_REASON_MAX_LENGTH]
        matches = patient_matches(
            clinic=clinic,
            email=email,
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date_of_birth,
        )
        if matches and not duplicate_reason:
            raise PatientMatchesFound(matches)
    patient = Patient(
        clinic=clinic,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        primary_therapist=primary_therapist,
        email=email.strip().lower(),
        date_of_birth=date_of_birth,
        phone=phone.strip(),
        condition=condition.strip(),
        language=language,
    )
    patient.full_clean()
    patient.save()
    summary = ""
    if matches:
        summary = _("Added although it matches %(records)s. Reason: %(reason)s") % {
            "records": ", ".join(f"#{match.pk}" for match in matches),
            "reason": duplicate_reason,
        }
    audit.record(action=AuditAction.PATIENT_CREATED, patient=patient, summary=summary)
    return patient


PATIENT_UPDATABLE_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "email",
        "date_of_birth",
        "phone",
        "condition",
        "primary_therapist",
        "language",
    }
)


@transaction.atomic
def patient_update(*, patient: Patient, updated_by: User, **fields: Any) -> Patient:
    """Change a patient's details. Only the fields passed change; the login account, if any,
    keeps its own email address."""
    unknown = set(fields) - PATIENT_UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"patient_update() cannot change {', '.join(sorted(unknown))}")
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if updated_by.clinic_id != patient.clinic_id or not updated_by.is_clinic_staff:
        raise ValidationError(_("Only staff of the patient's clinic can change their details."))
    if "primary_therapist" in fields:
        therapist = fields["primary_therapist"]
        if therapist is not None and (
            therapist.clinic_id != patient.clinic_id or not therapist.is_clinic_staff
        ):
            raise ValidationError({"primary_therapist": _("Choose a therapist of this clinic.")})
    for name in ("first_name", "last_name", "phone", "condition"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    if "email" in fields:
        fields["email"] = (fields["email"] or "").strip().lower()
    before = {name: getattr(patient, name) for name in fields if name != "primary_therapist"}
    if "primary_therapist" in fields:
        before["primary_therapist"] = patient.primary_therapist_id
    after = {**fields}
    if "primary_therapist" in fields:
        after["primary_therapist"] = getattr(fields["primary_therapist"], "pk", None)
    changed = [name for name in fields if before[name] != after[name]]
    for name, value in fields.items():
        setattr(patient, name, value)
    patient.full_clean()
    patient.save()
    if "language" in changed and patient.user_id is not None:
        user_language_set(user=patient.user, language=patient.language)
    audit.record(
        action=AuditAction.PATIENT_UPDATED,
        patient=patient,
        actor=updated_by,
        summary=audit.changed_fields_summary(
            str(Patient._meta.get_field(name).verbose_name) for name in changed
        ),
    )
    return patient


@transaction.atomic
def patient_language_set(*, patient: Patient, language: str) -> Patient:
    """The patient's own choice of language, on their account page: their sign-in and their
    record both take it, so the therapist's form shows what the patient chose."""
    patient = (
        Patient.objects.select_for_update(of=("self",)).select_related("user").get(pk=patient.pk)
    )
    if patient.user is None:
        raise ValidationError(_("Only a patient who signs in can choose their language."))
    changed = patient.language != language
    user_language_set(user=patient.user, language=language)
    patient.language = language
    patient.full_clean()
    patient.save(update_fields=["language", "updated_at"])
    audit.record(
        action=AuditAction.PATIENT_UPDATED,
        patient=patient,
        actor=patient.user,
        summary=audit.changed_fields_summary(
            [str(Patient._meta.get_field("language").verbose_name)] if changed else []
        ),
    )
    return patient


@transaction.atomic
def patient_account_create(*, patient: Patient, password: str | None) -> User:
    """Give a patient record its own sign-in, by the patient's email address."""
    if patient.user_id is not None:
        raise ValidationError(_("This patient already has an account."))
    if not patient.email:
        raise ValidationError({"email": _("Add the patient's email address first.")})
    user = user_create(
        clinic=patient.clinic,
        email=patient.email,
        full_name=patient.full_name,
        role=Role.PATIENT,
        password=password,
        language=patient.language,
    )
    patient.user = user
    patient.save(update_fields=["user", "updated_at"])
    return user


@dataclass(frozen=True)
class EntryInput:
    plan_item: PlanItem
    status: str
    sets_done: int
    repetitions_done: int
    hold_seconds_done: int
    skip_reason: str = SkipReason.NONE
    note: str = ""

    def log_entry(self, *, position: int, session: SessionLog | None = None) -> SessionLogEntry:
        """The unsaved row a session log stores for this entry: what was done, beside the dose
        the plan item prescribed then (a later change to the plan never rewrites it)."""
        item = self.plan_item
        return SessionLogEntry(
            session=session,
            plan_item=item,
            exercise_id=item.exercise_id,
            position=position,
            prescribed_sets=item.sets,
            prescribed_repetitions=item.repetitions,
            prescribed_hold_seconds=item.hold_seconds,
            prescribed_rest_seconds=item.rest_seconds,
            side=item.side,
            sets_done=self.sets_done,
            repetitions_done=self.repetitions_done,
            hold_seconds_done=self.hold_seconds_done,
            status=self.status,
            skip_reason=self.skip_reason,
            note=self.note,
        )

    @classmethod
    def as_prescribed(cls, plan_item: PlanItem) -> "EntryInput":
        return cls(
            plan_item=plan_item,
            status=EntryStatus.COMPLETED,
            sets_done=plan_item.sets,
            repetitions_done=plan_item.repetitions,
            hold_seconds_done=plan_item.hold_seconds,
        )


def entry_answer_check(row: SessionLogEntry) -> None:
    """What a patient says of one exercise must say what happened: an answer is required (no
    exercise counts as done by default), "done" means at least the dose prescribed, "partly
    done" something but less than the dose, and "skipped" needs a reason. A skipped exercise
    keeps no numbers. Checked for a new log and for a correction alike."""
    exercise = row.exercise
    if row.status not in EntryStatus.values:
        raise ValidationError(
            {
                "status": _("Say whether you did %(exercise)s: done, partly done or skipped.")
                % {"exercise": exercise}
            }
        )
    if row.status == EntryStatus.SKIPPED:
        if not row.skip_reason:
            raise ValidationError(
                {"skip_reason": _("Say why %(exercise)s was skipped.") % {"exercise": exercise}}
            )
        row.sets_done = row.repetitions_done = row.hold_seconds_done = 0
        return
    done = (row.sets_done, row.repetitions_done, row.hold_seconds_done)
    prescribed = (row.prescribed_sets, row.prescribed_repetitions, row.prescribed_hold_seconds)
    whole_dose = all(value >= dose for value, dose in zip(done, prescribed, strict=True))
    if row.status == EntryStatus.COMPLETED and not whole_dose:
        raise ValidationError(
            {
                "status": _(
                    "%(exercise)s is marked as done, but the numbers are less than the dose "
                    "(%(dose)s). Mark it as partly done, or correct the numbers."
                )
                % {"exercise": exercise, "dose": row.prescribed_dose_text}
            }
        )
    if row.status == EntryStatus.PARTIAL and (whole_dose or not any(done)):
        message = (
            _(
                "%(exercise)s is marked as partly done, but the numbers are the whole dose. "
                "Mark it as done, or enter how much you did."
            )
            if whole_dose
            else _(
                "%(exercise)s is marked as partly done, but nothing was done. Mark it as "
                "skipped, or enter how much you did."
            )
        )
        raise ValidationError({"status": message % {"exercise": exercise}})


def session_safety_reasons(
    *, pain_before: int | None, pain_after: int | None, entries: list[EntryInput]
) -> list[str]:
    """Why a session should stop and the therapist hear of it (DOMAIN.md's stop rule)."""
    reasons = []
    if pain_after is not None and pain_after >= pain.STOP_PAIN_AT_OR_ABOVE:
        reasons.append(_("pain reached %(score)d/10") % {"score": pain_after})
    if (
        pain_before is not None
        and pain_after is not None
        and pain_after - pain_before >= pain.STOP_PAIN_RISE
    ):
        reasons.append(
            _("pain rose by %(points)d during the session") % {"points": pain_after - pain_before}
        )
    if any(entry.skip_reason == SkipReason.PAIN for entry in entries):
        reasons.append(_("an exercise was skipped because of pain"))
    return reasons


def session_log_record(
    *,
    patient: Patient,
    plan: Plan,
    performed_at: datetime.datetime,
    entries: list[EntryInput],
    client_token: uuid.UUID,
    recorded_by: User,
    pain_before: int | None = None,
    pain_after: int | None = None,
    difficulty: str = "",
    note: str = "",
) -> SessionLog:
    """Record one home session. The same client token twice records it once: a double tap, a
    refresh or a retried request gets the first log back, also when two requests race."""
    return create_once(
        SessionLog.objects.filter(patient=patient, client_token=client_token),
        lambda: _session_log_create(
            patient=patient,
            plan=plan,
            performed_at=performed_at,
            entries=entries,
            client_token=client_token,
            recorded_by=recorded_by,
            pain_before=pain_before,
            pain_after=pain_after,
            difficulty=difficulty,
            note=note,
        ),
    )


def session_log_check_open(*, plan: Plan) -> None:
    """Refuse a session for a plan that is not running: a paused, completed or discontinued
    plan takes no new sessions."""
    if plan.status != PlanStatus.ACTIVE:
        raise ValidationError(
            _("This plan is not active, so sessions cannot be logged to it."), code="plan_closed"
        )


def _session_log_create(
    *,
    patient: Patient,
    plan: Plan,
    performed_at: datetime.datetime,
    entries: list[EntryInput],
    client_token: uuid.UUID,
    recorded_by: User,
    **values: Any,
) -> SessionLog:
    if plan.patient_id != patient.pk:
        raise ValidationError(_("This plan is not one of the patient's plans."))
    session_log_check_open(plan=plan)
    if recorded_by.clinic_id != patient.clinic_id:
        raise ValidationError(_("Only the patient or their clinic can log a session."))
    if performed_at > timezone.now():
        raise ValidationError({"performed_at": _("A session cannot be logged in the future.")})
    performed_on = timezone.localtime(performed_at, patient.clinic.zone).date()
    if performed_on < plan.start_date:
        raise ValidationError({"performed_at": _("The plan had not started on that day.")})
    if plan.end_date is not None and performed_on > plan.end_date:
        raise ValidationError({"performed_at": _("The plan had ended by that day.")})
    if not entries:
        raise ValidationError(_("Log at least one exercise."))
    if any(entry.plan_item.plan_id != plan.pk for entry in entries):
        raise ValidationError(_("Every exercise logged must belong to this plan."))
    reasons = session_safety_reasons(
        pain_before=values["pain_before"], pain_after=values["pain_after"], entries=entries
    )
    session = SessionLog(
        clinic=patient.clinic,
        patient=patient,
        plan=plan,
        plan_version=plan.version,
        performed_at=performed_at,
        performed_on=performed_on,
        client_token=client_token,
        recorded_by=recorded_by,
        is_flagged=bool(reasons),
        flag_reason="; ".join(reasons)[:200],
        **values,
    )
    # The token's uniqueness is the database's to enforce: a request racing this one with the
    # same token must fail on insert (IntegrityError, answered with the first log above), not
    # in validation, which would tell the phone its session was not saved.
    session.full_clean(validate_unique=False, exclude=["client_token"])
    session.save()
    rows = []
    for position, entry in enumerate(entries, start=1):
        row = entry.log_entry(position=position, session=session)
        entry_answer_check(row)
        # Field validators cover the entry's range and choice constraints; the skip rule is
        # checked above. The database enforces all of them again.
        row.full_clean(exclude=["session"], validate_constraints=False)
        rows.append(row)
    SessionLogEntry.objects.bulk_create(rows)
    summary_refresh(patient=patient, day=performed_on, plan_id=plan.pk)
    audit.record(
        action=AuditAction.SESSION_LOGGED,
        patient=patient,
        actor=recorded_by,
        summary=_("Session #%(session)d, plan #%(plan)d.")
        % {"session": session.pk, "plan": plan.pk},
    )
    if session.is_flagged:
        safety_alert_notify(patient=patient, source="session", pk=session.pk)
    event_emit(
        clinic_id=patient.clinic_id,
        kind=webhook_events.SESSION_LOGGED,
        data={"patient": patient.pk, "plan": plan.pk, "session_log": session.pk},
        details={
            "pain_before": session.pain_before,
            "pain_after": session.pain_after,
            "entries_total": len(rows),
            "entries_completed": sum(row.status == EntryStatus.COMPLETED for row in rows),
            "entries_partial": sum(row.status == EntryStatus.PARTIAL for row in rows),
            "entries_skipped": sum(row.status == EntryStatus.SKIPPED for row in rows),
            "stopped_by_safety_rule": session.is_flagged,
        },
    )
    _session_alerts_emit(session=session, flagged=session.is_flagged, high_pain=True)
    return session


def _alert_emit(*, patient: Patient, kind: str, source: str, pk: int, details: dict) -> None:
    """alert.raised for an alert the write has just brought into being. Alerts are worked out
    when read (insights/alerts.py), but these, the safety alerts, open with the write itself
    under the key the rules give them (`<source>:<id>`), so the write is where they first
    become known; alerts that open as time passes (no recent session, low adherence, a plan
    ending) are not sent."""
    event_emit(
        clinic_id=patient.clinic_id,
        kind=webhook_events.ALERT_RAISED,
        data={"patient": patient.pk, "alert": {"kind": kind, "key": f"{source}:{pk}"}},
        details=details,
    )


def _session_alerts_emit(*, session: SessionLog, flagged: bool, high_pain: bool) -> None:
    """The session's alerts, those of them newly true: `flagged` when the stop rule flagged it,
    `high_pain` when its pain may have newly reached the clinic's alert level."""
    patient = session.patient
    peak = max(
        (value for value in (session.pain_before, session.pain_after) if value is not None),
        default=None,
    )
    if high_pain and peak is not None and peak >= patient.clinic.alert_pain_at_or_above:
        _alert_emit(
            patient=patient,
            kind=AlertKind.PAIN_HIGH,
            source="session",
            pk=session.pk,
            details={"pain": peak},
        )
    if flagged:
        _alert_emit(
            patient=patient,
            kind=AlertKind.SESSION_FLAGGED,
            source="session",
            pk=session.pk,
            details={"reason": session.flag_reason},
        )


def pain_report_record(
    *,
    patient: Patient,
    score: int,
    recorded_by: User,
    recorded_at: datetime.datetime | None = None,
    body_location: str = "",
    note: str = "",
    red_flag_codes: list[str] | tuple[str, ...] = (),
    client_token: uuid.UUID | None = None,
) -> PainReport:
    """Record pain reported on its own. Like a session, the same client token twice records
    one report (a double tap or a retried request)."""
    client_token = client_token or uuid.uuid4()
    return create_once(
        PainReport.objects.filter(patient=patient, client_token=client_token),
        lambda: _pain_report_create(
            patient=patient,
            score=score,
            recorded_by=recorded_by,
            recorded_at=recorded_at,
            body_location=body_location,
            note=note,
            red_flag_codes=red_flag_codes,
            client_token=client_token,
        ),
    )


def _pain_report_create(
    *,
    patient: Patient,
    score: int,
    recorded_by: User,
    recorded_at: datetime.datetime | None,
    body_location: str,
    note: str,
    red_flag_codes: list[str] | tuple[str, ...],
    client_token: uuid.UUID,
) -> PainReport:
    recorded_at = recorded_at or timezone.now()
    if recorded_at > timezone.now():
        raise ValidationError({"recorded_at": _("Pain cannot be reported for the future.")})
    if recorded_by.clinic_id != patient.clinic_id:
        raise ValidationError(_("Only the patient or their clinic can report their pain."))
    unknown = [code for code in red_flag_codes if code not in red_flags.RED_FLAGS_BY_CODE]
    if unknown:
        raise ValidationError({"red_flags": _("Unknown red flag.")})
    report = PainReport(
        clinic=patient.clinic,
        patient=patient,
        score=score,
        recorded_at=recorded_at,
        recorded_on=timezone.localtime(recorded_at, patient.clinic.zone).date(),
        body_location=body_location.strip(),
        note=note.strip(),
        red_flags=list(red_flag_codes),
        red_flag_severity=red_flags.severity_of(red_flag_codes),
        client_token=client_token,
        recorded_by=recorded_by,
    )
    # As for sessions: a duplicate token is the database's to refuse, so a race ends in the
    # IntegrityError that pain_report_record answers with the first report.
    report.full_clean(validate_unique=False, exclude=["client_token"])
    report.save()
    summary_refresh(patient=patient, day=report.recorded_on)
    audit.record(
        action=AuditAction.PAIN_REPORTED,
        patient=patient,
        actor=recorded_by,
        summary=_("Pain report #%(report)d.") % {"report": report.pk},
    )
    if report.red_flag_severity == red_flags.Severity.EMERGENCY:
        safety_alert_notify(patient=patient, source="report", pk=report.pk)
    event_emit(
        clinic_id=patient.clinic_id,
        kind=webhook_events.PAIN_REPORTED,
        data={"patient": patient.pk, "pain_report": report.pk},
        details={
            "score": report.score,
            "body_location": report.body_location,
            "red_flags": report.red_flags,
            "red_flag_severity": report.red_flag_severity,
        },
    )
    if report.score >= patient.clinic.alert_pain_at_or_above:
        _alert_emit(
            patient=patient,
            kind=AlertKind.PAIN_HIGH,
            source="report",
            pk=report.pk,
            details={"pain": report.score},
        )
    if report.red_flags:
        _alert_emit(
            patient=patient,
            kind=AlertKind.RED_FLAG,
            source="report",
            pk=report.pk,
            details={"red_flags": report.red_flags, "severity": report.red_flag_severity},
        )
    return report


def safety_alert_notify(*, patient: Patient, source: str, pk: int) -> None:
    """Tell the patient's therapist at once (the clinic's admins when the patient has no
    active one) that a patient needs attention: an emergency red flag, or a session stopped
    because it hurt, by email or on their devices as each chose. It says only that, and links
    to the patient's page."""
    therapist = patient.primary_therapist
    if therapist is not None and therapist.is_active:
        recipients = [therapist]
    else:
        recipients = list(
            User.objects.filter(clinic_id=patient.clinic_id, role=Role.CLINIC_ADMIN, is_active=True)
        )
    for recipient in recipients:
        notification_enqueue(
            kind="safety_alert",
            key=f"safety:{source}:{pk}:{recipient.pk}",
            person=recipient,
            language=language_for(recipient, clinic=patient.clinic),
            clinic_id=patient.clinic_id,
            context={"patient_id": patient.pk, "source": source, "pk": pk},
        )


@transaction.atomic
def patient_discharge(
    *, patient: Patient, discharged_by: User, on: datetime.date | None = None
) -> Patient:
    """Discharge a patient: their record and history stay; plans still running are completed."""
    patient = Patient.objects.select_for_update().select_related("clinic").get(pk=patient.pk)
    if discharged_by.clinic_id != patient.clinic_id or not discharged_by.is_clinic_staff:
        raise ValidationError(_("Only staff of the patient's clinic can discharge them."))
    if patient.status == PatientStatus.DISCHARGED:
        raise ValidationError(_("This patient is already discharged."))
    on = on or patient.clinic.today()
    for plan in patient.plans.filter(status__in=[PlanStatus.ACTIVE, PlanStatus.PAUSED]):
        plan_status_change(plan=plan, status=PlanStatus.COMPLETED, changed_by=discharged_by, on=on)
    patient.status = PatientStatus.DISCHARGED
    patient.discharged_on = on
    patient.full_clean()
    patient.save()
    audit.record(
        action=AuditAction.PATIENT_DISCHARGED,
        patient=patient,
        actor=discharged_by,
        summary=_("Discharged on %(day)s.") % {"day": on.isoformat()},
    )
    return patient


@transaction.atomic
def patient_reactivate(*, patient: Patient, reactivated_by: User) -> Patient:
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if reactivated_by.clinic_id != patient.clinic_id or not reactivated_by.is_clinic_staff:
        raise ValidationError(_("Only staff of the patient's clinic can reactivate them."))
    if patient.status == PatientStatus.ACTIVE:
        raise ValidationError(_("This patient is already active."))
    patient.status = PatientStatus.ACTIVE
    patient.discharged_on = None
    patient.full_clean()
    patient.save()
    audit.record(action=AuditAction.PATIENT_REACTIVATED, patient=patient, actor=reactivated_by)
    return patient


@transaction.atomic
def patient_invite(*, patient: Patient, invited_by: User, base_url: str) -> None:
    """Email the patient a link to set a password and open today's routine, creating their
    sign-in first if they have none. A new invitation cancels the ones sent before."""
    patient = (
        Patient.objects.select_for_update(of=("self",))
        .select_related("clinic", "user")
        .get(pk=patient.pk)
    )
    user = _invitation_account(patient=patient, invited_by=invited_by)
    if user is None:
        return
    user_invite(user=user, invited_by=invited_by, base_url=base_url)
    audit.record(
        action=AuditAction.PATIENT_INVITED,
        patient=patient,
        actor=invited_by,
        summary=_("Invitation emailed."),
    )


def _invitation_account(*, patient: Patient, invited_by: User) -> User | None:
    """The sign-in an invitation is for, made now if the patient has none; None when the email
    belongs to an account elsewhere (nothing is then sent or printed, and the inviter is not
    told why: see email_used_elsewhere)."""
    if invited_by.clinic_id != patient.clinic_id or not invited_by.is_clinic_staff:
        raise ValidationError(_("Only staff of the patient's clinic can invite them."))
    if patient.status == PatientStatus.DISCHARGED:
        raise ValidationError(_("Reactivate this patient before inviting them."))
    if not patient.email:
        raise ValidationError({"email": _("Add the patient's email address before inviting them.")})
    user = patient.user
    if user is None and email_used_elsewhere(email=patient.email, clinic_id=patient.clinic_id):
        return None
    if user is None:
        return patient_account_create(patient=patient, password=None)
    if user.email != patient.email:
        # The sign-in keeps its own address when the record's changes (patient_update); mailing
        # either one without saying so could send the link to an inbox the patient gave up.
        raise ValidationError(
            _(
                "No invitation was sent: the patient's email is %(record)s but their sign-in "
                "uses %(account)s. Change the patient's email back to %(account)s, or have the "
                "sign-in address changed first."
            )
            % {"record": patient.email, "account": user.email}
        )
    return user


@transaction.atomic
def patient_invitation_code_issue(*, patient: Patient, invited_by: User) -> str | None:
    """An invitation to print on a handout: a short code that works once, for 7 days, until a
    newer invitation (printed or emailed) replaces it. None when the patient already signs in,
    so the handout shows where to sign in instead, or when no invitation can be made for the
    address."""
    patient = (
        Patient.objects.select_for_update(of=("self",))
        .select_related("clinic", "user")
        .get(pk=patient.pk)
    )
    if patient.user is not None and account_in_use(patient.user):
        return None
    user = _invitation_account(patient=patient, invited_by=invited_by)
    if user is None:
        return None
    code = invitation_code_issue(user=user, created_by=invited_by)
    audit.record(
        action=AuditAction.PATIENT_INVITED,
        patient=patient,
        actor=invited_by,
        summary=_("Invitation printed on a handout."),
    )
    return code


SESSION_CORRECTABLE_FIELDS = frozenset(
    {"pain_before", "pain_after", "difficulty", "note", "entries"}
)
CORRECTION_REASON_MAX_LENGTH = 300


@dataclass(frozen=True)
class EntryCorrection:
    entry_id: int
    status: str
    sets_done: int
    repetitions_done: int
    hold_seconds_done: int
    skip_reason: str = SkipReason.NONE


def _session_log_values(session: SessionLog, entries: list[SessionLogEntry]) -> dict:
    return {
        "pain_before": session.pain_before,
        "pain_after": session.pain_after,
        "difficulty": session.difficulty,
        "note": session.note,
        "entries": [
            {
                "id": entry.pk,
                "exercise_id": entry.exercise_id,
                "status": entry.status,
                "sets_done": entry.sets_done,
                "repetitions_done": entry.repetitions_done,
                "hold_seconds_done": entry.hold_seconds_done,
                "skip_reason": entry.skip_reason,
            }
            for entry in entries
        ],
    }


@transaction.atomic
def session_log_correct(
    *, session: SessionLog, corrected_by: User, reason: str = "", **changes: Any
) -> SessionLog:
    """Correct a session log within a day of logging it. Only the patient can, and what the log
    said before is kept as a revision; the safety flag is then worked out again from the
    corrected values, so a correction that reveals pain of 7 or more alerts the therapist (and
    a flag already raised stays raised)."""
    unknown = set(changes) - SESSION_CORRECTABLE_FIELDS
    if unknown:
        raise TypeError(f"session_log_correct() cannot change {', '.join(sorted(unknown))}")
    session = (
        SessionLog.objects.select_for_update(of=("self",))
        .select_related("patient__clinic")
        .get(pk=session.pk)
    )
    if corrected_by.pk is None or session.patient.user_id != corrected_by.pk:
        raise ValidationError(_("Only the patient can correct their own session log."))
    if not session.can_be_corrected:
        raise ValidationError(
            _(
                "This session was logged more than 24 hours ago, so it can no longer be "
                "changed. Tell your therapist if something in it is wrong."
            ),
            code="too_late",
        )
    reason = (reason or "").strip()
    if len(reason) > CORRECTION_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Keep the reason to %(max)d characters.")
                % {"max": CORRECTION_REASON_MAX_LENGTH}
            }
        )
    entries = list(
        session.entries.select_for_update(of=("self",))
        .select_related("exercise")
        .order_by("position", "id")
    )
    entries_by_id = {entry.pk: entry for entry in entries}
    corrections = changes.pop("entries", [])
    if any(correction.entry_id not in entries_by_id for correction in corrections):
        raise ValidationError(_("Only the exercises of this session can be corrected."))
    previous = _session_log_values(session, entries)

    for name in ("pain_before", "pain_after", "difficulty"):
        if name in changes:
            setattr(session, name, changes[name])
    if "note" in changes:
        session.note = (changes["note"] or "").strip()
    for correction in corrections:
        entry = entries_by_id[correction.entry_id]
        entry.status = correction.status
        entry.sets_done = correction.sets_done
        entry.repetitions_done = correction.repetitions_done
        entry.hold_seconds_done = correction.hold_seconds_done
        entry.skip_reason = correction.skip_reason
        entry_answer_check(entry)
    if _session_log_values(session, entries) == previous:
        raise ValidationError(_("Nothing was changed, so nothing was saved."), code="unchanged")
    # The same field validators as a new log; the database checks the constraints again.
    session.full_clean(validate_unique=False, validate_constraints=False)
    for entry in entries:
        entry.full_clean(exclude=["session"], validate_constraints=False)

    # The revision is written first, from values read before any change, so the log as it
    # stood is never lost even if the update below fails.
    SessionLogRevision.objects.create(
        session=session,
        revised_by=corrected_by,
        reason=reason,
        previous={
            **previous,
            "is_flagged": session.is_flagged,
            "flag_reason": session.flag_reason,
            "updated_at": session.updated_at.isoformat(),
        },
    )
    # The entry rows carry skip_reason, which is all the safety rule reads of an entry.
    reasons = session_safety_reasons(
        pain_before=session.pain_before, pain_after=session.pain_after, entries=entries
    )
    # A flag the therapist has been shown stays: a correction can add a reason, never clear one.
    was_flagged = session.is_flagged
    if was_flagged:
        kept = [reason for reason in session.flag_reason.split("; ") if reason]
        reasons = kept + [reason for reason in reasons if reason not in kept]
    session.is_flagged = bool(reasons)
    session.flag_reason = "; ".join(reasons)[:200]
    session.save()
    SessionLogEntry.objects.bulk_update(
        entries,
        ["status", "sets_done", "repetitions_done", "hold_seconds_done", "skip_reason"],
    )
    summary_refresh(patient=session.patient, day=session.performed_on)
    audit.record(
        action=AuditAction.SESSION_CORRECTED,
        patient=session.patient,
        actor=corrected_by,
        summary=_("Session #%(session)d.") % {"session": session.pk},
    )
    if session.is_flagged and not was_flagged:
        safety_alert_notify(patient=session.patient, source="session", pk=session.pk)
    threshold = session.patient.clinic.alert_pain_at_or_above
    was_high = any(
        previous[name] is not None and previous[name] >= threshold
        for name in ("pain_before", "pain_after")
    )
    _session_alerts_emit(
        session=session, flagged=session.is_flagged and not was_flagged, high_pain=not was_high
    )
    return session


@transaction.atomic
def patients_reassign(*, from_therapist: User, to_therapist: User | None) -> int:
    """Hand every patient whose primary therapist is `from_therapist` (active and discharged
    alike) to `to_therapist`; returns how many moved. The caller checks who may do it."""
    return Patient.objects.filter(primary_therapist=from_therapist).update(
        primary_therapist=to_therapist, updated_at=timezone.now()
    )


@transaction.atomic
def reminder_settings_update(
    *, patient: Patient, updated_by: User, is_on: bool, times: list[datetime.time]
) -> ReminderSettings:
    """The patient's reminders: on or off, and at which times of day (one per session of the
    day at most). Only the patient chooses them; their therapist sees them."""
    if updated_by.pk is None or patient.user_id != updated_by.pk:
        raise ValidationError(_("Only the patient chooses their reminders."))
    sessions = reminder_sessions_per_day(patient=patient)
    chosen = sorted({time.replace(second=0, microsecond=0) for time in times})
    if len(chosen) != len(times):
        raise ValidationError({"times": _("Choose a different time for each reminder.")})
    if len(chosen) > sessions:
        raise ValidationError(
            {
                "times": ngettext(
                    "Your plan has %(count)d session a day, so choose at most %(count)d time.",
                    "Your plan has %(count)d sessions a day, so choose at most %(count)d times.",
                    sessions,
                )
                % {"count": sessions}
            }
        )
    settings_row, _created = ReminderSettings.objects.select_for_update().get_or_create(
        patient=patient
    )
    settings_row.is_on = is_on
    settings_row.times = [time.strftime("%H:%M") for time in chosen]
    settings_row.save()
    return settings_row
