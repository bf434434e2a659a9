"""Figures and files: PNGs are valid images of the stated size, the PDF has a cover, the
cohort pages and a page per participant, and blinded output never names a treatment."""

from __future__ import annotations

import re
import struct
import zlib
from datetime import date

import matplotlib.image
import numpy
import pytest
from matplotlib.text import Text

from qst.analysis import Blinding, Participant, cohort_report, sparkline
from qst.analysis.plots import (
    CoursePages,
    course_figure,
    paired_figure,
    phase_means_figures,
    response_figure,
    write_pngs,
    write_report_pdf,
)
from qst.analysis.plots.course_figure import CoursePage
from qst.analysis.plots.files import cover_figure, table_figures
from qst.analysis.report_text import cohort_text, course_text
from tests.qst.test_analysis_synthetic import PLAN, SETTINGS, STUDY, make_cohort
from tests.qst.test_atomic_files import FullDisk

N_PARTICIPANTS = 3
UNBLINDING_WORDS = re.compile(r"placebo|drug|naltrexone|washout", re.IGNORECASE)
"""Phase names and treatments of the synthetic study; blinded output must show none of them."""


@pytest.fixture(scope="module")
def reports():
    participants, rows, diary = make_cohort(n=N_PARTICIPANTS, seed=7)
    return {
        unblind: cohort_report(participants, rows, diary, PLAN, SETTINGS, study=STUDY, unblind=unblind)
        for unblind in (False, True)
    }


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, payload) of every chunk, checking the signature and each chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, payload = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert zlib.crc32(kind + payload) == crc, kind
        chunks.append((kind, payload))
        at += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    return chunks


def test_pngs_are_valid_images_of_the_stated_size_and_say_their_blinding(reports, tmp_path):
    paths = write_pngs(reports[False], tmp_path)
    assert len(paths) == N_PARTICIPANTS + 4  # response, phase means, paired, table + one per participant
    for path in paths:
        assert path.name.endswith(".blinded.png")
        chunks = png_chunks(path.read_bytes())
        width, height = struct.unpack(">II", chunks[0][1][:8])
        assert (width, height) == (1200, 800), path.name
        text = dict(payload.split(b"\0", 1) for kind, payload in chunks if kind == b"tEXt")
        assert text[b"Blinding"] == b"blinded"
    assert matplotlib.image.imread(paths[0]).shape[:2] == (800, 1200)
    assert {p.name for p in paths} >= {f"course-FM0{i}.blinded.png" for i in range(1, N_PARTICIPANTS + 1)}


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", data))


@pytest.mark.parametrize("unblind", [False, True])
def test_pdf_has_cover_cohort_pages_and_a_page_per_participant(reports, tmp_path, unblind):
    report = reports[unblind]
    pages = write_report_pdf(report, tmp_path / "report.pdf")
    data = pages.path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert (pages.cover, pages.participants) == (1, N_PARTICIPANTS)
    assert pages.cohort == 4  # response vs ESR, phase means, paired comparisons, participant table
    assert pdf_pages(data) == 1 + pages.cohort + N_PARTICIPANTS == pages.total
    word = Blinding.of(unblind).value.encode()
    assert b"/Keywords (qst; " + word + b")" in data
    assert pages.blinding is Blinding.of(unblind)


def test_the_first_page_says_blinded_or_unblinded(reports):
    for unblind, report in reports.items():
        texts = [t.get_text() for t in cover_figure(report).findobj(Text)]
        assert (Blinding.of(unblind).value.upper()) in texts
        assert any(report.blinding.statement in t for t in texts)


def all_figures(report):
    return ([course_figure(c) for c in report.courses] + [response_figure(report), paired_figure(report),
            cover_figure(report)] + phase_means_figures(report) + table_figures(report))


def figure_text(figure) -> str:
    return "\n".join(t.get_text() for t in figure.findobj(Text))


def pixels(figure) -> numpy.ndarray:
    figure.canvas.draw()
    return numpy.asarray(figure.canvas.buffer_rgba()).copy()


def test_a_kept_course_page_draws_each_participant_as_a_figure_of_its_own_would(reports):
    courses = reports[True].courses
    pages = CoursePages()
    drawn_over = CoursePages()
    for course in (*courses, courses[0]):
        alone = pixels(course_figure(course))
        assert (pixels(pages.figure(course)) == alone).all(), course.participant.code
        assert (numpy.asarray(drawn_over.pixels(course)) == alone).all(), course.participant.code
    assert pages.figure(courses[1]) is pages.figure(courses[2])
    assert pages.figure(reports[False].courses[0]) is not pages.figure(courses[0])  # blinding is in the frame
    empty = cohort_report([Participant("FM99", "F", 1970, date(2024, 1, 8), {})], [], [], PLAN, SETTINGS).courses[0]
    assert pages.figure(empty) is not pages.figure(courses[0])  # so are the lab tests
    with pytest.raises(ValueError, match="FM99"):
        CoursePage(courses[0]).show(empty)


def test_blinded_figures_show_phase_codes_only(reports):
    for figure in all_figures(reports[False]):
        text = figure_text(figure)
        assert not UNBLINDING_WORDS.search(text), UNBLINDING_WORDS.search(text)
        assert "BLINDED — phases shown by code only" in text


def test_unblinded_figures_name_the_treatments(reports):
    report = reports[True]
    course = figure_text(course_figure(report.courses[0]))
    assert "C: drug (naltrexone 4.5 mg)" in course and "B: placebo (placebo capsule)" in course
    assert "UNBLINDED" in course
    assert "Drug response" in figure_text(response_figure(report))


def test_blinded_text_and_table_show_phase_codes_only(reports):
    blinded, unblinded = reports[False], reports[True]
    assert cohort_text(blinded).startswith("BLINDED")
    assert not UNBLINDING_WORDS.search(cohort_text(blinded))
    assert not UNBLINDING_WORDS.search(course_text(blinded.courses[0]))
    assert not any(UNBLINDING_WORDS.search(key) for key in blinded.table()[0])
    assert "reduction C vs B (pp)" in blinded.table()[0]
    assert cohort_text(unblinded).startswith("UNBLINDED") and "naltrexone 4.5 mg" in cohort_text(unblinded)
    assert "reduction over placebo (pp)" in unblinded.table()[0]
    assert blinded.blinding is Blinding.BLINDED and unblinded.blinding is Blinding.UNBLINDED
    assert all(c.blinding is Blinding.BLINDED for c in blinded.courses)


def test_sparkline():
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert sparkline([0, None, 100, float("nan"), 50], low=0, high=100) == "▁ █ ▅"
    assert sparkline([200, -5], low=0, high=100) == "█▁"  # clipped to the range
    assert sparkline([3, 3, 3]) == "▄▄▄"
    assert sparkline([]) == "" and sparkline([None, None]) == "  "


def test_a_participant_without_data_still_gets_a_page(tmp_path):
    report = cohort_report([Participant("FM99", "F", 1970, date(2024, 1, 8), {})], [], [], PLAN, SETTINGS)
    pages = write_report_pdf(report, tmp_path / "empty.pdf")
    assert pdf_pages(pages.path.read_bytes()) == pages.total == 1 + pages.cohort + 1


@pytest.mark.parametrize("room", [0, 30_000])
def test_pngs_and_pdf_redrawn_onto_a_full_disk_leave_the_earlier_files(reports, tmp_path, monkeypatch, room):
    write_pngs(reports[False], tmp_path)
    write_report_pdf(reports[False], tmp_path / "report.pdf")
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    disk = FullDisk(tmp_path, room=room).install(monkeypatch)
    with pytest.raises(OSError) as png_failure:
        write_pngs(reports[False], tmp_path)
    disk.room = room  # the PDF fails mid-page too, not at its first byte
    with pytest.raises(OSError) as pdf_failure:
        write_report_pdf(reports[False], tmp_path / "report.pdf")
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before  # no temporary file left
    assert png_failure.value.filename in {str(tmp_path / name) for name in before if name.endswith(".png")}
    assert pdf_failure.value.filename == str(tmp_path / "report.pdf")
