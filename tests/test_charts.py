"""The report's pictures and workbook: real PNG and XLSX files that open and hold the numbers."""

from __future__ import annotations

import asyncio
import io
import struct

import pytest
from openpyxl import load_workbook
from PIL import Image

from handlers.reports.charts import funnel_png, weekly_png
from handlers.reports.xlsx import Cell, Column, Sheet, workbook_bytes

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Checks that ``data`` is a whole PNG that opens, and returns its width and height."""
    assert data.startswith(PNG_SIGNATURE)
    assert 2_000 < len(data) < 2_000_000  # a real picture, not a blank or a monster
    Image.open(io.BytesIO(data)).verify()  # the whole file is read and its checksums checked
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        width, height = image.size
    assert (width, height) == struct.unpack(">II", data[16:24])  # the IHDR chunk agrees
    return width, height


def test_a_funnel_is_a_png_that_opens() -> None:
    data = funnel_png(
        ["New lead", "Contact made", "Meeting", "Paid"],
        [8, 6, 5, 3],
        ["8 → 75%", "6 → 83%", "5 → 60%", "3"],
        "Funnel: deals created in the period",
    )
    width, height = png_size(data)
    assert 400 <= width <= 2_000 and 150 <= height <= 2_000


def test_a_funnel_grows_with_its_stages_and_takes_any_script() -> None:
    few = png_size(funnel_png(["a", "b"], [2, 1], ["2", "1"], "t"))
    many = png_size(
        funnel_png(
            [f"Этап номер {i} с очень длинным названием, которое не влезет" for i in range(15)],
            list(range(15, 0, -1)),
            [str(i) for i in range(15, 0, -1)],
            "Воронка",
        )
    )
    assert many[1] > few[1]


def test_an_empty_funnel_still_draws() -> None:
    png_size(funnel_png(["New lead", "Paid"], [0, 0], ["0", "0"], "Nothing yet"))
    png_size(funnel_png([], [], [], "No stages"))


def test_won_per_week_is_a_png_that_opens() -> None:
    data = weekly_png(
        ["W40\n01.10", "W41\n05.10", "W42\n12.10"],
        [1100.0, 300.0, 500.0],
        ["1,100 ₽", "300 ₽", "500 ₽"],
        "Won per week",
        "Won, RUB",
    )
    width, height = png_size(data)
    assert 400 <= width <= 2_000 and 200 <= height <= 1_000


def test_a_year_of_weeks_and_a_week_of_nothing_draw() -> None:
    year = [f"W{i}" for i in range(1, 54)]
    wide = png_size(weekly_png(year, [float(i) for i in range(53)], year, "Year", "RUB"))
    png_size(weekly_png(["W1"], [0.0], ["0 ₽"], "Nothing won", "RUB"))
    png_size(weekly_png([], [], [], "No weeks", "RUB"))
    assert wide[0] > 2 * 400


def test_mismatched_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        funnel_png(["a"], [1, 2], ["1"], "t")
    with pytest.raises(ValueError):
        weekly_png(["W1"], [1.0], [], "t", "RUB")


def test_the_workbook_opens_with_its_sheets_headers_and_typed_cells() -> None:
    data = workbook_bytes(
        [
            Sheet(
                "Funnel",
                [Column("Stage"), Column("Reached", "count"), Column("To next", "percent")],
                [["New lead", 8, 0.75], ["Paid", 3, None]],
            ),
            Sheet(
                "Summary",
                [Column("Figure"), Column("Value")],
                [
                    ["Won amount", Cell(190_000, "money")],
                    ["Win rate", Cell(4 / 6, "percent")],
                    ["Average days", Cell(2.75, "days")],
                ],
            ),
            Sheet("Lost reasons", [Column("Reason"), Column("Amount, RUB", "money")], []),
        ]
    )
    assert data.startswith(b"PK")  # a zip, as every .xlsx is
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Funnel", "Summary", "Lost reasons"]
    funnel = book["Funnel"]
    assert [[cell.value for cell in row] for row in funnel.iter_rows()] == [
        ["Stage", "Reached", "To next"],
        ["New lead", 8, 0.75],
        ["Paid", 3, None],
    ]
    assert funnel["A1"].font.bold and funnel.freeze_panes == "A2"
    assert funnel["C2"].number_format == "0.0%"
    summary = book["Summary"]
    assert summary["B2"].value == 1900 and summary["B2"].number_format == "#,##0.00"
    assert summary["B3"].value == pytest.approx(4 / 6) and summary["B3"].number_format == "0.0%"
    assert summary["B4"].value == 2.75 and summary["B4"].number_format == "0.0"
    assert [[c.value for c in row] for row in book["Lost reasons"].iter_rows()] == [
        ["Reason", "Amount, RUB"]
    ]


def test_user_text_stays_text_and_sheet_names_stay_legal() -> None:
    data = workbook_bytes(
        [
            Sheet("a/b:c*d?[e]", [Column("Reason")], [['=HYPERLINK("http://x")'], ["bad\x01"]]),
            Sheet("A/B:C*D?[E]", [Column("x")], []),
            Sheet("x" * 40, [Column("x")], []),
        ]
    )
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["a b c d  e", "A B C D  E (2)", "x" * 31]
    cell = book["a b c d  e"]["A2"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"
    assert book["a b c d  e"]["A3"].value == "bad"


def test_a_workbook_needs_a_sheet() -> None:
    with pytest.raises(ValueError):
        workbook_bytes([])


async def test_pictures_drawn_in_worker_threads_at_once_come_out_whole() -> None:
    args = (["New lead", "Paid"], [4, 1], ["4 → 25%", "1"], "Funnel")
    drawn = await asyncio.gather(*(asyncio.to_thread(funnel_png, *args) for _ in range(4)))
    assert len(set(drawn)) == 1
    png_size(drawn[0])
