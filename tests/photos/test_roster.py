import io

from openpyxl import Workbook

from seance.photos.roster import parse_roster


def kinds(roster):
    return [(p.kind, p.line) for p in roster.errors]


def test_csv_with_french_headings_and_semicolons():
    data = "Prénom;Nom;Classe;Email\nLéa;Martin;CP-A;PARENT@EXAMPLE.FR\nHugo;Bernard;CP-B;\n"
    roster = parse_roster(data.encode("utf-8-sig"), "liste.csv")
    assert roster.ok
    assert [(p.first_name, p.last_name, p.class_name, p.parent_email) for p in roster.pupils] == [
        ("Léa", "Martin", "CP-A", "parent@example.fr"),
        ("Hugo", "Bernard", "CP-B", ""),
    ]


def test_xlsx_in_english():
    book = Workbook()
    sheet = book.active
    sheet.append(["First name", "Last name", "Class"])
    sheet.append(["Zoë", "Nowak", "5B"])
    sheet.append([None, None, None])  # blank lines are skipped
    sheet.append(["Иван", "Петров", 7])
    out = io.BytesIO()
    book.save(out)
    roster = parse_roster(out.getvalue(), "pupils.xlsx")
    assert roster.ok
    pupils = [(p.first_name, p.class_name) for p in roster.pupils]
    assert pupils == [("Zoë", "5B"), ("Иван", "7")]


def test_bad_rows_are_reported_with_their_lines_not_guessed():
    data = (
        "first name,last name,class,email\n"
        "Léa,Martin,CP-A,\n"
        ",Bernard,CP-A,\n"
        "Hugo,,CP-A,\n"
        "Léa,MARTIN,cp-a,\n"
        "Jules,Petit,CP-A,not-an-address\n"
    )
    roster = parse_roster(data.encode(), "list.csv")
    assert not roster.ok
    assert kinds(roster) == [
        ("no_first_name", 3),
        ("no_last_name", 4),
        ("duplicate", 5),
        ("bad_email", 6),
    ]


def test_wrong_encoding_is_refused():
    roster = parse_roster("Prénom,Nom\nLéa,Martin\n".encode("latin-1"), "list.csv")
    assert kinds(roster) == [("not_utf8", None)]


def test_missing_header_and_empty_file_and_broken_xlsx():
    assert kinds(parse_roster(b"Lea,Martin\n", "x.csv")) == [("no_header", 1)]
    assert kinds(parse_roster(b"", "x.csv")) == [("empty", None)]
    assert kinds(parse_roster(b"PK\x03\x04garbage", "x.xlsx")) == [("not_xlsx", None)]
    assert kinds(parse_roster(b"x" * (5 * 1024 * 1024 + 1), "x.csv")) == [("too_large", None)]


def test_line_numbers_are_the_files_even_after_blank_lines():
    data = "first name,last name\n\n\nLéa,\n"
    assert kinds(parse_roster(data.encode(), "x.csv")) == [("no_last_name", 4)]


def test_overlong_cells_and_nul_bytes():
    data = "first name,last name,class\n" + "A" * 300 + ",B,C\nLé\x00a,Martin,CP\n"
    roster = parse_roster(data.encode(), "x.csv")
    assert kinds(roster) == [("too_long", 2)]
    assert roster.pupils[0].first_name == "Léa"
    huge = "first name,last name\n" + "x" * 200_000 + ",y\n"
    assert kinds(parse_roster(huge.encode(), "x.csv")) in ([("not_csv", None)], [("too_long", 2)])


def test_two_columns_for_one_meaning_are_refused():
    roster = parse_roster("Prénom,Nom,Name\nLéa,Martin,Martin\n".encode(), "x.csv")
    assert kinds(roster) == [("two_columns", 1)]
