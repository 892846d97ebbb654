import factory
from django.utils.text import slugify

from clinics.models import Clinic, Role, User

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


class PatientUserFactory(UserFactory):
    role = Role.PATIENT
