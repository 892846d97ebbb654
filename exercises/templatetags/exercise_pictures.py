"""How an exercise is done, in any page that shows an exercise: `{% load exercise_pictures %}`.

    {% exercise_thumbnail exercise %}        a small square picture (decorative=True beside its
                                             name inside a control, where it would be read twice)
    {% exercise_picture exercise %}          the large picture: the drawing moving by itself, and
                                             its poses side by side for reduced motion
                                             (credit=True: with whose picture it is)
    {% exercise_picture_print exercise %}    start and end side by side, for the handout
    {% if exercise|has_picture %}            whether it has any picture to show

None of them reads the database (see exercises.pictures).
"""

from django import template

from ..pictures import picture_for

register = template.Library()


@register.inclusion_tag("exercises/pictures/thumbnail.html")
def exercise_thumbnail(exercise, decorative=False):
    return {"picture": picture_for(exercise), "decorative": decorative}


@register.inclusion_tag("exercises/pictures/picture.html")
def exercise_picture(exercise, credit=False):
    return {"picture": picture_for(exercise), "credit": credit}


@register.inclusion_tag("exercises/pictures/print.html")
def exercise_picture_print(exercise):
    return {"picture": picture_for(exercise)}


@register.filter
def has_picture(exercise) -> bool:
    return picture_for(exercise) is not None
