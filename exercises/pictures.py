"""What shows how an exercise is done, and whose picture it is.

A clinic's own uploaded picture takes the place of a drawing; otherwise a shared exercise shows
its drawn figure (`exercises.figures`), whose artwork is CC BY 4.0. Every picture has a credit:
its title, author, source and licence, printed where the licence asks for it. Nothing here reads
the database (`figure_for` is cached), so a page may ask for every exercise of a list.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .figures import ExerciseFigure, figure_for
from .models import CREDITED_LICENCES, LICENCE_URLS, PictureLicence


@dataclass(frozen=True)
class PictureCredit:
    title: str
    author: str
    source: str  # a web address, or empty
    licence: str  # a PictureLicence value, or empty when nobody has said
    # The catalog's drawings, whose credit is the line FIGURES-LICENSE.md asks for.
    drawings: bool = False

    @property
    def licence_label(self) -> str:
        return PictureLicence(self.licence).label if self.licence else ""

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")

    @property
    def must_be_shown(self) -> bool:
        """Whether the licence asks for the credit wherever the picture is shown."""
        return self.licence in CREDITED_LICENCES


FIGURES_CREDIT = PictureCredit(
    title=_("Exercise figures"),
    author=_("the Rehabit contributors"),
    source="",
    licence=PictureLicence.CC_BY,
    drawings=True,
)


@dataclass(frozen=True)
class ExercisePicture:
    """Either an uploaded picture (`image_url`) or a drawn `figure`, with its credit."""

    name: str  # the exercise's
    credit: PictureCredit | None
    figure: ExerciseFigure | None = None
    image_url: str = ""

    @property
    def alt(self) -> str:
        if self.figure is not None:
            return self.figure.motion.title
        return _("Picture of the %(name)s") % {"name": self.name}


def picture_for(exercise) -> ExercisePicture | None:
    """The picture to show for an exercise: its uploaded one, else its drawing, else None."""
    if exercise.image:
        credit = None
        if exercise.image_licence:
            credit = PictureCredit(
                title=exercise.image_title,
                author=exercise.image_author,
                source=exercise.image_source,
                licence=exercise.image_licence,
            )
        return ExercisePicture(exercise.name, credit, image_url=exercise.image.url)
    figure = figure_for(exercise)
    if figure is None:
        return None
    return ExercisePicture(exercise.name, FIGURES_CREDIT, figure=figure)


def credits_to_show(exercises) -> list[PictureCredit]:
    """The credits a page showing these exercises' pictures must print, each once: the
    drawings' line first, then the uploaded pictures' in the order given."""
    found: list[PictureCredit] = []
    for exercise in exercises:
        picture = picture_for(exercise)
        credit = picture and picture.credit
        if credit and credit.must_be_shown and credit not in found:
            found.append(credit)
    return sorted(found, key=lambda credit: not credit.drawings)
