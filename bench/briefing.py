"""The briefing benchmarks, run in their own process (Django set up on a throwaway database).

    uv run --group bench python bench/briefing.py [--runs N]

Builds the demo partnership in a temporary SQLite database, then times:

- pdf: maca composing the demo audit's briefing from the database and rendering it to a tagged
  one-page PDF (`version_content` + `render_pdf`), against WeasyPrint rendering the same page as
  static HTML with the same options (the floor: layout and PDF writing alone);
- docx: maca composing and rendering the DOCX (`render_docx`), against python-docx writing a
  document of the same shape (title, seven headings, the same paragraphs and bullets, a table).

Prints one JSON object: {"pdf": [maca_s, floor_s], "docx": [maca_s, floor_s], "pages": n}.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def paired(maca: Callable[[], object], floor: Callable[[], object], runs: int) -> list[float]:
    """Median times of both, measured in turn so a busy machine slows both alike."""
    maca(), floor()  # warm: fonts, templates and imports load once per process in real use too
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for side, fn in enumerate((maca, floor)):
            started = time.perf_counter()
            fn()
            times[side].append(time.perf_counter() - started)
    return [statistics.median(times[0]), statistics.median(times[1])]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="maca-bench-briefing-")
    os.environ.update(
        MACA_DATA_DIR=data_dir,
        MACA_RELAXED_ENV="demo",
        DJANGO_SETTINGS_MODULE="config.settings",
        MACA_DEBUG="0",
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from docx import Document
    from weasyprint import HTML

    from maca.audits.models import Audit
    from maca.briefings import services
    from maca.briefings.renderers.docx import render_docx
    from maca.briefings.renderers.html import render_html
    from maca.briefings.renderers.pdf import OPTIONS, render_pdf
    from maca.partnerships.demo import NMB_REFERENCE, demo_load

    demo_load()
    briefing = Audit.objects.get(reference=NMB_REFERENCE).briefing

    def content():  # type: ignore[no-untyped-def]
        version = services.latest_version(briefing)
        return services.version_content(version)

    static_html = render_html(content(), for_pdf=True)
    pages = render_pdf(content()).pages

    def maca_pdf() -> bytes:
        return render_pdf(content()).data

    def floor_pdf() -> bytes:
        return HTML(string=static_html).write_pdf(**OPTIONS)

    shape = content()

    def maca_docx() -> bytes:
        return render_docx(content())

    def floor_docx() -> bytes:
        document = Document()
        document.add_paragraph(shape.document_title, style="Title")
        for section in shape.sections:
            document.add_heading(f"{section.number}. {section.heading}", level=1)
            for block in section.blocks:
                for item in block.items:
                    text = "".join(span.text for span in item)
                    document.add_paragraph(
                        text, style="List Bullet" if block.kind == "ul" else None
                    )
        table = document.add_table(rows=1, cols=2)
        for grade in shape.grades:
            row = table.add_row()
            row.cells[0].text, row.cells[1].text = grade.label, str(grade.count)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    result = {
        "pdf": paired(maca_pdf, floor_pdf, args.runs),
        "docx": paired(maca_docx, floor_docx, args.runs),
        "pages": pages,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
