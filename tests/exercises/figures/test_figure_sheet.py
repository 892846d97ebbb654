"""`manage.py figure_sheet`: the review sheet of every exercise's poses, as SVG and PDF."""

import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.management import CommandError, call_command
from django.utils.html import escape
from pypdf import PdfReader

from exercises.figures import STARTER_CATALOG, figures
from exercises.figures.sheet import review_sheet


def sheet(tmp_path, *arguments) -> str:
    out = io.StringIO()
    call_command(
        "figure_sheet", f"--output={tmp_path}", *arguments, stdout=out, stderr=io.StringIO()
    )
    return out.getvalue()


def test_the_sheet_names_every_exercise_and_pose_with_its_text_alternative(tmp_path):
    output = sheet(tmp_path, "--no-pdf")
    svg = (tmp_path / "figure-sheet.svg").read_text()
    ET.fromstring(svg)
    for figure in figures():
        assert f">{escape(figure.name)}</text>" in svg  # "Child's pose"
        assert f"<title>{escape(figure.end.title)}</title>" in svg
    assert ">Start</text>" in svg and ">Middle</text>" in svg and ">End</text>" in svg
    starter = json.loads(STARTER_CATALOG.read_text())["exercises"]
    # The note lists the starter exercises still without poses, when there are any.
    assert ("Not drawn yet" in svg) == (len(figures()) < len(starter))
    assert "CC BY 4.0" in svg
    assert not (tmp_path / "figure-sheet.pdf").exists()
    assert f"({len(figures())} exercises)" in output


def test_the_pdf_has_the_same_exercises_four_to_a_page(tmp_path):
    sheet(tmp_path, "--slug=prone-press-up", "--slug=sit-to-stand")
    reader = PdfReader(tmp_path / "figure-sheet.pdf")
    text = "".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) == 1
    assert "Prone press-up" in text and "Sit to stand" in text and "Chin tuck" not in text


def test_a_slug_without_poses_or_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No poses for: no-such-thing"):
        sheet(tmp_path, "--slug=no-such-thing")
    with pytest.raises(CommandError, match="No such folder"):
        sheet(tmp_path / "nowhere")


def test_the_sheet_notes_the_exercises_not_drawn_yet():
    footer = review_sheet(figures()[:1], missing=("bird-dog", "cat-cow"))[-1].footer
    assert footer[0].text == "Not drawn yet (2): bird-dog, cat-cow."
    assert review_sheet(figures()[:1])[-1].footer[0].text.startswith("Exercise figures ©")
