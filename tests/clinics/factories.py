import time

import factory
from django.utils.text import slugify
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinics.models import Clinic, Role, User
from clinics.services import TwoFactorSetUp, two_factor_enable, two_factor_key_new

PASSWORD = "correct-horse-battery-staple"


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    time_zone = "Europe/London"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    clinic = factory.SubFactory(ClinicFactory)
    role = Role.THERAPIST
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TherapistFactory(UserFactory):
    role = Role.THERAPIST


class ClinicAdminFactory(UserFactory):
    role = Role.CLINIC_ADMIN

    @factory.post_generation
    def two_factor(obj, create, extracted, **kwargs):
        """Clinic admins must sign in with two steps, so a made-up admin has set it up already;
        `ClinicAdminFactory(two_factor=False)` is one who has not yet."""
        if create and extracted is not False and obj.is_active:
            two_factor_turn_on(obj)


class PatientUserFactory(UserFactory):
    role = Role.PATIENT


def two_factor_code(device: TOTPDevice) -> str:
    """The code an authenticator app set up for `device` shows now; when that one has been used
    already (codes work once), the next half-minute's, which is accepted too."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = time.time()
    totp.time = now
    ahead = device.last_t + 1 - totp.t()
    if ahead > device.tolerance:
        # Several codes used within a minute: wait for the app to show a fresh one.
        time.sleep((ahead - device.tolerance) * device.step)
        now = time.time()
        totp.time = now
        ahead = device.last_t + 1 - totp.t()
    if ahead > 0:
        totp.time = now + ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def two_factor_turn_on(user: User, **options) -> TwoFactorSetUp:
    """Set up two-step sign-in for `user` as a person does: a new key, and the app's code."""
    key = two_factor_key_new()
    code = f"{TOTP(bytes.fromhex(key)).token():06d}"
    return two_factor_enable(user=user, key=key, code=code, **options)
