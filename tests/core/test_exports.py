import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seance.core.exports import csv_rows, safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 6 12", "'+33 6 12"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("-12.50", "-12.50"),
        (-3, "-3"),
        ("École", "École"),
        (None, ""),
    ],
)
def test_formula_cells_are_neutralised(value, expected):
    assert safe_cell(value) == expected


@given(st.text())
def test_no_text_cell_can_start_a_formula_unless_it_is_a_number(text):
    cell = safe_cell(text)
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        float(cell)  # only plain numbers keep their sign


def test_csv_has_a_bom_and_reads_back():
    rows = [["CP-1", "=1+1", "Zoë"]] * 5000
    text = "".join(csv_rows(["ref", "formula", "name"], rows))
    assert text.startswith("\ufeff")
    read = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert read[0] == ["ref", "formula", "name"]
    assert read[1] == ["CP-1", "'=1+1", "Zoë"]
    assert len(read) == 5001


def test_csv_streams_in_chunks():
    chunks = list(csv_rows(["a"], ([str(i) * 50] for i in range(10000))))
    assert len(chunks) > 3
