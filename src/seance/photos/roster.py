"""Names lists (rosters): the pupils a school sends, one card each. No Django here.

A list is a CSV (UTF-8, comma or semicolon) or an XLSX sheet with a header row naming the
columns; French and English headings are understood. Nothing is guessed: a row without a
name, a pupil listed twice, a file in another encoding are reported with their line numbers,
and the caller imports nothing until the file is right.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
# What the database keeps of each (QrCard's fields).
MAX_LENGTH = {"first_name": 100, "last_name": 100, "class_name": 50, "parent_email": 254}

HEADINGS = {
    "first_name": {"first name", "firstname", "first", "given name", "prenom", "prénom"},
    "last_name": {"last name", "lastname", "surname", "family name", "name", "nom"},
    "class_name": {"class", "classe", "form", "group", "groupe", "division"},
    "parent_email": {
        "parent email",
        "parents email",
        "email",
        "e-mail",
        "mail",
        "email parent",
        "email des parents",
        "courriel",
    },
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Pupil:
    first_name: str
    last_name: str
    class_name: str = ""
    parent_email: str = ""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file; the caller words it in the reader's language."""

    kind: str  # too_large, not_utf8, not_xlsx, empty, no_header, two_columns, too_many,
    #            no_first_name, no_last_name, bad_email, duplicate, too_long
    line: int | None = None
    detail: str = ""  # the missing columns, the bad address, the line it duplicates…


@dataclass
class Roster:
    pupils: list[Pupil] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.pupils)


def _key(heading: str) -> str:
    text = unicodedata.normalize("NFKD", str(heading or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[\s_'’.-]+", " ", text).strip().lower()


_LOOKUP = {_key(h): column for column, names in HEADINGS.items() for h in names}


def _rows_from_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _Unreadable(Problem("not_utf8", detail=str(e.start + 1))) from e
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as e:  # a cell beyond the csv module's field limit, a stray NUL…
        raise _Unreadable(Problem("not_csv", detail=str(e))) from e


def _rows_from_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a broken file
        raise _Unreadable(Problem("not_xlsx")) from e
    sheet = book.worksheets[0]
    rows = []
    for i, row in enumerate(sheet.iter_rows(values_only=True)):
        if i > MAX_ROWS + 1:
            break
        rows.append(["" if v is None else str(v) for v in row])
    book.close()
    return rows


class _Unreadable(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.kind)
        self.problem = problem


def parse_roster(data: bytes, filename: str) -> Roster:
    """Read a names list; ``Roster.errors`` says what is wrong, line by line."""
    roster = Roster()
    if len(data) > MAX_BYTES:
        roster.errors.append(Problem("too_large"))
        return roster
    try:
        if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
            rows = _rows_from_xlsx(data)
        else:
            rows = _rows_from_csv(data)
    except _Unreadable as e:
        roster.errors.append(e.problem)
        return roster
    # Keep each row's line number in the file: blank lines are skipped, not renumbered.
    numbered = [(n, r) for n, r in enumerate(rows, start=1) if any(c.strip() for c in r)]
    if not numbered:
        roster.errors.append(Problem("empty"))
        return roster
    header_line, header_row = numbered[0]
    header = [_LOOKUP.get(_key(h)) for h in header_row]
    doubled = sorted({c for c in header if c and header.count(c) > 1})
    if doubled:
        roster.errors.append(Problem("two_columns", line=header_line, detail=", ".join(doubled)))
        return roster
    missing = [c for c in ("first_name", "last_name") if c not in header]
    if missing:
        roster.errors.append(Problem("no_header", line=header_line, detail=", ".join(missing)))
        return roster
    if len(numbered) - 1 > MAX_ROWS:
        roster.errors.append(Problem("too_many", detail=str(MAX_ROWS)))
        return roster
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in numbered[1:]:
        values = {
            column: unicodedata.normalize("NFC", row[i].replace("\x00", "").strip())
            for i, column in enumerate(header)
            if column and i < len(row)
        }
        too_long = [c for c, v in values.items() if len(v) > MAX_LENGTH[c]]
        if too_long:
            roster.errors.append(Problem("too_long", line=line, detail=", ".join(too_long)))
            continue
        pupil = Pupil(
            first_name=values.get("first_name", ""),
            last_name=values.get("last_name", ""),
            class_name=values.get("class_name", ""),
            parent_email=values.get("parent_email", "").lower(),
        )
        if not pupil.first_name or not pupil.last_name:
            kind = "no_first_name" if not pupil.first_name else "no_last_name"
            roster.errors.append(Problem(kind, line=line))
            continue
        if pupil.parent_email and not EMAIL.match(pupil.parent_email):
            roster.errors.append(Problem("bad_email", line=line, detail=pupil.parent_email))
            continue
        identity = (pupil.first_name.lower(), pupil.last_name.lower(), pupil.class_name.lower())
        if identity in seen:
            roster.errors.append(Problem("duplicate", line=line, detail=str(seen[identity])))
            continue
        seen[identity] = line
        roster.pupils.append(pupil)
    return roster
