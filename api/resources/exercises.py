from dataclasses import asdict, replace

from django.db import transaction
from django.utils.translation import get_language_info
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers

from exercises.languages import TRANSLATED_LANGUAGES
from exercises.models import BodyRegion, Exercise, Kind
from exercises.services import (
    EXERCISE_FIELDS,
    ExerciseInput,
    TranslatedContent,
    exercise_archive,
    exercise_create,
    exercise_restore,
    exercise_update,
)

from ..base import UPDATED_SINCE, ArchiveActions, ClinicViewSet, choice_parameter, yes_no_parameter

DOSE_DEFAULTS = (
    "default_sets",
    "default_repetitions",
    "default_hold_seconds",
    "default_rest_seconds",
)


class PictureSerializer(serializers.Serializer):
    url = serializers.URLField()
    title = serializers.CharField()
    author = serializers.CharField()
    source = serializers.CharField()
    licence = serializers.CharField()


class StepsField(serializers.ListField):
    """The exercise's steps as their texts, in order."""

    child = serializers.CharField(allow_blank=True)

    def to_representation(self, steps):
        return [step.text for step in steps.all()]


class TranslatedContentSerializer(serializers.Serializer):
    """One language's texts; an empty one shows the English to a reader of that language."""

    name = serializers.CharField(allow_blank=True, max_length=120)
    summary = serializers.CharField(allow_blank=True, required=False, default="")
    steps = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=list,
        help_text="One line per English step, in the same order; empty to show the English steps.",
    )
    cautions = serializers.CharField(allow_blank=True, required=False, default="")
    contraindications = serializers.CharField(allow_blank=True, required=False, default="")
    equipment = serializers.CharField(allow_blank=True, required=False, default="")


TranslationsSerializer = type(
    "TranslationsSerializer",
    (serializers.Serializer,),
    {
        language: TranslatedContentSerializer(
            required=False, help_text=f"The texts in {get_language_info(language)['name']}."
        )
        for language in TRANSLATED_LANGUAGES
    },
)


@extend_schema_field(TranslationsSerializer)
class TranslationsField(serializers.Field):
    """The exercise's texts in the other languages, by language code. On a write, a language
    left out keeps what the exercise has in it; one sent with empty texts removes it."""

    def __init__(self, **kwargs):
        super().__init__(source="*", required=False, **kwargs)

    def to_representation(self, exercise):
        translations = ExerciseInput.from_exercise(exercise).translations
        return {
            language: asdict(translations.get(language, TranslatedContent()))
            for language in TRANSLATED_LANGUAGES
        }

    def to_internal_value(self, data):
        serializer = TranslationsSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        return {
            "translations": {
                language: TranslatedContent(**content)
                for language, content in serializer.validated_data.items()
            }
        }


class ExerciseSerializer(serializers.ModelSerializer):
    steps = StepsField(help_text="The instructions the patient follows, in order (1 to 20).")
    translations = TranslationsField(
        help_text="The texts above are the English; these are the Spanish and the French."
    )
    shared = serializers.BooleanField(source="is_shared", read_only=True)
    default_dose_text = serializers.CharField(read_only=True)
    picture = serializers.SerializerMethodField()

    class Meta:
        model = Exercise
        fields = [
            "id",
            "name",
            "slug",
            "shared",
            "body_region",
            "kind",
            "summary",
            "steps",
            "cautions",
            "contraindications",
            "equipment",
            "translations",
            "is_sided",
            *DOSE_DEFAULTS,
            "default_dose_text",
            "video_url",
            "picture",
            "image_title",
            "image_author",
            "image_source",
            "image_licence",
            "is_archived",
            "copied_from",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["slug", "is_archived", "copied_from", "created_at", "updated_at"]
        # The limits and the picture's credit are the service's to check, with the sentences
        # the exercise's page shows.
        extra_kwargs = {
            **{
                name: {"validators": [], "min_value": None, "max_value": None}
                for name in DOSE_DEFAULTS
            },
            **{
                name: {"validators": [], "help_text": "Kept only while the exercise has a picture."}
                for name in ("image_title", "image_author", "image_source", "image_licence")
            },
            "video_url": {"validators": []},
        }

    @extend_schema_field(PictureSerializer(allow_null=True))
    def get_picture(self, exercise) -> dict | None:
        if not exercise.image:
            return None
        return {
            "url": self.context["request"].build_absolute_uri(exercise.image.url),
            "title": exercise.image_title,
            "author": exercise.image_author,
            "source": exercise.image_source,
            "licence": exercise.image_licence,
        }


def _input(data: dict, *, start: ExerciseInput | None = None) -> ExerciseInput:
    changes = {
        name: data[name] for name in [*EXERCISE_FIELDS, "steps", "translations"] if name in data
    }
    if start is None:
        return ExerciseInput(**changes)
    return replace(start, **changes)


WRITES = (
    "Only a clinic admin may change the clinic's own exercises: a key acting as a therapist is "
    "refused (403), and so is any change to a shared exercise. Pictures are uploaded on the "
    "exercise's page, not through the API, which reads and writes JSON only; the picture's "
    "credit fields are kept only while the exercise has a picture."
)


@extend_schema_view(
    list=extend_schema(
        summary="List the exercises the clinic can prescribe",
        description="The shared catalog and the clinic's own exercises, archived ones included "
        "unless `archived` says otherwise.",
        parameters=[
            UPDATED_SINCE,
            OpenApiParameter("kind", enum=Kind.values, description="Only this kind of exercise."),
            OpenApiParameter(
                "body_region", enum=BodyRegion.values, description="Only this body region."
            ),
            OpenApiParameter(
                "archived",
                bool,
                description="true for archived exercises only, false for those therapists can "
                "prescribe.",
            ),
        ],
    ),
    retrieve=extend_schema(summary="One exercise with its steps, cautions and default dose"),
    create=extend_schema(summary="Add one of the clinic's own exercises", description=WRITES),
    partial_update=extend_schema(
        summary="Change one of the clinic's own exercises",
        description=WRITES + " `steps`, when sent, replace the steps in that order.",
    ),
    archive=extend_schema(
        summary="Archive one of the clinic's own exercises",
        description="Takes it out of the catalog therapists prescribe from; plans, templates "
        "and logs that use it keep it. Archiving an archived exercise changes nothing.",
    ),
    restore=extend_schema(summary="Put an archived exercise back in the catalog"),
)
class ExerciseViewSet(
    ArchiveActions,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ClinicViewSet,
):
    serializer_class = ExerciseSerializer
    patient_field = None
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self):
        return Exercise.objects.available_to(self.clinic).with_steps()

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        params = self.request.query_params
        kind = choice_parameter("kind", params.get("kind"), Kind.values)
        if kind:
            queryset = queryset.filter(kind=kind)
        region = choice_parameter("body_region", params.get("body_region"), BodyRegion.values)
        if region:
            queryset = queryset.filter(body_region=region)
        archived = yes_no_parameter("archived", params.get("archived"))
        if archived is not None:
            queryset = queryset.filter(is_archived=archived)
        return queryset

    @transaction.atomic
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        exercise = exercise_create(
            clinic=self.clinic, created_by=request.user, data=_input(serializer.validated_data)
        )
        return self._answer(self.base_queryset().get(pk=exercise.pk), status=201)

    @transaction.atomic
    def partial_update(self, request, *args, **kwargs):
        exercise = self.get_object()
        serializer = self.get_serializer(exercise, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = _input(serializer.validated_data, start=ExerciseInput.from_exercise(exercise))
        exercise_update(exercise=exercise, updated_by=request.user, data=data)
        return self._answer(self.base_queryset().get(pk=exercise.pk))

    def archived_set(self, exercise, *, archived: bool):
        if archived:
            return exercise_archive(exercise=exercise, archived_by=self.request.user)
        return exercise_restore(exercise=exercise, restored_by=self.request.user)
