"""A CSV's rows and a quote left open in it: the pure reader, case by case."""

from __future__ import annotations

import pytest

from crm.errors import InvalidInput
from crm.imports.csv_text import ONE_COLUMN, quote_left_open, sniff
from crm.imports.reading import read_table

HEADER = "ФИО;Телефон;Заметка\n"


@pytest.mark.parametrize(
    ("body", "rows"),
    [
        # A note with line breaks inside its quotes, closed: one cell, the rows after it whole.
        (
            'Иван;89161234567;"Звонить вечером\nпосле 19"\nАнна;89035556677;\n',
            [["Иван", "89161234567", "Звонить вечером\nпосле 19"], ["Анна", "89035556677", None]],
        ),
        # Windows line ends, a quote doubled inside, spaces after the closing quote.
        (
            'Иван;1;"Он сказал: ""да""\r\nперезвонить" \r\nАнна;2;x\r\n',
            [["Иван", "1", 'Он сказал: "да"\r\nперезвонить '], ["Анна", "2", "x"]],
        ),
        # The multi-line cell first in its row, and two of them in one row.
        (
            '"Иван\nПетров";1;"а\nб"\nАнна;2;\n',
            [["Иван\nПетров", "1", "а\nб"], ["Анна", "2", None]],
        ),
        # A quote closed wrong on its own line takes no other line: read as before.
        (
            'Иван;1;"ООО "Ромашка""\nАнна;2;x\n',
            [["Иван", "1", 'ООО Ромашка""'], ["Анна", "2", "x"]],
        ),
        # A quote not opening a cell is a character; one left open on the last line with
        # nothing after it takes nothing in.
        (
            'Иван;1;дюйм 27"\nАнна;2;"ООО Ромашка',
            [["Иван", "1", 'дюйм 27"'], ["Анна", "2", "ООО Ромашка"]],
        ),
    ],
)
def test_quoted_cells_that_are_closed_read_whole(body: str, rows: list[list[str | None]]) -> None:
    table = read_table((HEADER + body).encode(), "x.csv")
    assert table.rows == rows


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # Never closed: the rest of the file was one cell.
        (HEADER + 'Иван;1;x\nАнна;2;"ООО Ромашка\nОлег;3;y\nПётр;4;z\n', 3),
        # The rest longer than csv takes in one cell (128 KiB) was "not a spreadsheet".
        (HEADER + 'Иван;1;x\nАнна;2;"ООО Ромашка\n' + "Олег;3;y\n" * 20_000, 3),
        # Closed by a quote further down that does not end a cell.
        (HEADER + 'Анна;2;"ООО Ромашка\nОлег;3;y\nПётр;4;"ООО Лютик";z\n', 2),
        (HEADER + 'Анна;2;"ООО Ромашка\nОлег;3;ООО "Лютик"\n', 2),
        # On the last line of a multi-line note that is closed right.
        (HEADER + 'Иван;1;"а\nб";"x\nОлег;3;y\n', 3),
        # In the header itself.
        ('ФИО;"Город\nИван;Тула\nАнна;Казань\n', 1),
    ],
)
def test_a_quote_left_open_is_refused_with_its_line(text: str, line: int) -> None:
    for encoding, ends in (("utf-8", "\n"), ("cp1251", "\r\n")):
        with pytest.raises(InvalidInput) as error:
            read_table(text.replace("\n", ends).encode(encoding), "x.csv")
        assert error.value.code == "import_unclosed_quote"
        assert error.value.params == {"line": line}


WIDE = "ФИО;Телефон;Город;Заметка\n"


@pytest.mark.parametrize(
    ("text", "line", "end"),
    [
        # A stray quote opening a name, closed by chance by a cell ending in a quote
        # (27" screen) three rows down: the rows between came in as one cell of Анна's.
        (
            WIDE + 'Иван;1;Тула;x\n"Анна;2;Казань;y\nОлег;3;Омск;z\nПётр;4;Тверь;z\n'
            'Ева;5;Сочи;монитор 27"\nЛев;6;Орёл;w\n',
            3,
            6,
        ),
        (
            WIDE + 'Анна;2;Казань;"y\nОлег;3;Омск;z\nПётр;4;Тверь;монитор 27"\nЛев;6;Орёл;w\n',
            2,
            4,
        ),
        # After a title line with no delimiter: the lines are the file's.
        ("Клиенты 2026\n" + WIDE + '"Анна;2;Казань;y\nОлег;3;Омск;z\nЕва;5;Сочи;27"\n', 3, 5),
        # Commas, and the header's own count of them (five columns) in each row taken in.
        (
            'a,b,c,d,e\n1,2,3,4,5\n1,"2,3,4,5\n1,2,3,4,5\n1,2,3,4,"\n1,2,3,4,5\n',
            3,
            5,
        ),
    ],
)
def test_a_stray_quote_taking_rows_in_is_refused_with_its_lines(
    text: str, line: int, end: int
) -> None:
    for encoding, ends in (("utf-8", "\n"), ("cp1251", "\r\n")):
        with pytest.raises(InvalidInput) as error:
            read_table(text.replace("\n", ends).encode(encoding), "x.csv")
        assert error.value.code == "import_stray_quote"
        assert error.value.params == {"line": line, "end": end}


@pytest.mark.parametrize(
    ("text", "note"),
    [
        # A note's lines with a comma or two each are a note, not rows.
        (
            'ФИО,Телефон,Заметка\nИван,1,"Звонить в пн, ср\nили в пт, сб\nдо 19"\nАнна,2,\n',
            "Звонить в пн, ср\nили в пт, сб\nдо 19",
        ),
        # One line of it with the row's delimiters: still a note.
        (WIDE + 'Иван;1;Тула;"a;b;c;d\nпотом"\nАнна;2;Орёл;\n', "a;b;c;d\nпотом"),
        # The row's delimiters after the closing quote are the row's own.
        (WIDE + '"Иван\nПетров\nмл.";1;Тула;x\nАнна;2;Орёл;\n', "x"),
    ],
)
def test_a_note_over_several_lines_is_not_a_stray_quote(text: str, note: str) -> None:
    table = read_table(text.encode(), "x.csv")
    assert table.rows[0][-1] == note
    assert len(table.rows) == 2


@pytest.mark.parametrize(
    ("lines", "opened"),
    [
        (['a;"b\n', 'c";d\n'], None),
        (['a;"b\n', "c\n", 'd"\n'], None),
        (['a;"b\n', 'c"'], None),
        (['a;"b\n', 'c"x;d\n'], 0),
        (['a;"b\n', "c\n"], 0),
        (['a;"b\n', 'c";"d\n', "e\n"], 1),
        (['"a""\n', 'b"""\n'], None),
        (['a;"b\n', 'c"  ;d\n'], None),
    ],
)
def test_quote_left_open(lines: list[str], opened: int | None) -> None:
    assert quote_left_open(lines, ";") == opened


@pytest.mark.parametrize(
    ("sample", "sniffed"),
    [
        ("ФИО;Телефон\nИван;1\n", (";", 0)),
        ("Клиенты 2026\nФИО;Телефон;Город\nИван;1;Тула\n", (";", 1)),
        ("Clients 2026\n\nName,Phone\nIvan,1\nAnna,2\n", (",", 1)),
        ("Клиенты\nна 01.05.2026\nФИО\tТелефон\nИван\t1\n", ("\t", 2)),
        # A list of names alone: its header names a column, the commas are the names'.
        ("ФИО\nПетров, Иван\nСидоров, Пётр\n", (ONE_COLUMN, 0)),
        ("ФИО\nПетров, Иван, Сергеевич\nСидоров, Пётр, Ильич\n", (ONE_COLUMN, 0)),
        ("Список\nПетров, Иван\nСидоров, Пётр\n", (ONE_COLUMN, 0)),
        ("ФИО\nИван\nАнна\n", (ONE_COLUMN, 0)),
        # More lines above than a title has, or a header with nothing under it.
        ("a\nb\nc\nd\nФИО;Телефон\nИван;1\n", (ONE_COLUMN, 0)),
        ("Клиенты\nФИО;Телефон\n", (ONE_COLUMN, 0)),
    ],
)
def test_sniff(sample: str, sniffed: tuple[str, int]) -> None:
    assert sniff(sample) == sniffed


@pytest.mark.parametrize(
    ("text", "title", "first"),
    [
        ("Клиенты 2026\n" + WIDE + "Иван;1;Тула;x\nАнна;2;Орёл;y\n", "Клиенты 2026", 3),
        (
            "\nКлиенты\n\nна 01.05\n" + WIDE + "Иван;1;Тула;x\nАнна;2;Орёл;y\n",
            "Клиенты на 01.05",
            6,
        ),
        ('"Клиенты; 2026";;;\n' + WIDE + "Иван;1;Тула;x\nАнна;2;Орёл;y\n", "Клиенты; 2026", 3),
        (WIDE + "Иван;1;Тула;x\nАнна;2;Орёл;y\n", "", 2),
    ],
)
def test_a_title_line_above_the_header_is_passed_over(text: str, title: str, first: int) -> None:
    table = read_table(text.encode("cp1251"), "x.csv")
    assert table.headers == ["ФИО", "Телефон", "Город", "Заметка"]
    assert table.rows == [["Иван", "1", "Тула", "x"], ["Анна", "2", "Орёл", "y"]]
    assert (table.title, table.numbers) == (title, [first, first + 1])


def test_a_quote_left_open_under_a_title_is_told_at_its_line() -> None:
    text = "Клиенты 2026\n" + WIDE + 'Иван;1;Тула;x\nАнна;2;"Орёл\nОлег;3;Омск;z\n'
    with pytest.raises(InvalidInput) as error:
        read_table(text.encode(), "x.csv")
    assert (error.value.code, error.value.params) == ("import_unclosed_quote", {"line": 4})
