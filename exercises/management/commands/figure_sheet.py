"""`manage.py figure_sheet`: every exercise's figure poses on a sheet for clinicians to review
outside the app, as one SVG file and as a PDF."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string

from exercises.figures import STARTER_CATALOG, figures
from exercises.figures.plausibility import problems
from exercises.figures.sheet import review_sheet

ROWS_PER_PDF_PAGE = 4
PDF_PAGE_WIDTH = "170mm"  # A4 less WeasyPrint's default margins


class Command(BaseCommand):
    help = (
        "Write a review sheet of every exercise's figure poses, with their names and text "
        "alternatives: figure-sheet.svg and figure-sheet.pdf in the folder given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default=".", help="The folder to write the sheet to.")
        parser.add_argument(
            "--slug",
            action="append",
            default=[],
            help="Only this exercise (repeat for more).",
        )
        parser.add_argument("--no-pdf", action="store_true", help="Write the SVG only.")

    def handle(self, *args, output, slug, no_pdf, **options):
        folder = Path(output)
        if not folder.is_dir():
            raise CommandError(f"No such folder: {folder}")
        drawn = figures()
        if slug:
            unknown = sorted(set(slug) - {figure.slug for figure in drawn})
            if unknown:
                raise CommandError(f"No poses for: {', '.join(unknown)}")
            drawn = [figure for figure in drawn if figure.slug in slug]
        catalog = json.loads(STARTER_CATALOG.read_text(encoding="utf-8"))["exercises"]
        have = {figure.slug for figure in figures()}
        missing = [] if slug else [item["slug"] for item in catalog if item["slug"] not in have]
        for figure in drawn:
            for problem in problems(figure.data):
                self.stderr.write(f"Check: {problem}")

        svg_path = folder / "figure-sheet.svg"
        (page,) = review_sheet(drawn, missing=missing)
        svg_path.write_text(
            render_to_string("exercises/figures/sheet.svg", {"sheet": page}), encoding="utf-8"
        )
        self.stdout.write(f"Wrote {svg_path} ({len(drawn)} exercises).")
        if no_pdf:
            return
        # Imported here: WeasyPrint is slow to import and needs Pango, which only the PDF
        # needs.
        import weasyprint

        pages = review_sheet(drawn, missing=missing, rows_per_page=ROWS_PER_PDF_PAGE)
        html = render_to_string(
            "exercises/figures/sheet.html",
            {"pages": pages, "title": pages[0].title, "page_width": PDF_PAGE_WIDTH},
        )
        pdf_path = folder / "figure-sheet.pdf"
        pdf_path.write_bytes(weasyprint.HTML(string=html).write_pdf())
        self.stdout.write(f"Wrote {pdf_path} ({len(pages)} pages).")
