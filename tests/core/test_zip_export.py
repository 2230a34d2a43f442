"""Streamed ZIP downloads: right contents, lazy rendering, names that stay inside the archive,
and memory bounded by one file whatever the archive's size."""

import io
import tracemalloc
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seance.core.exports import safe_arcname, zip_response, zip_stream


def read_back(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_archive_reads_back_with_names_and_contents():
    photo = bytes(range(256)) * 400
    response = zip_response(
        "EJF-CP-lab.zip",
        [
            ("INDEX.TXT", "Zoë\tMartin\r\n"),
            ("Images/0001.jpg", photo),
            ("Images/0002.jpg", lambda: b"second"),
        ],
    )
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="EJF-CP-lab.zip"'
    archive = read_back(response)
    assert archive.testzip() is None  # every CRC matches
    assert archive.namelist() == ["INDEX.TXT", "Images/0001.jpg", "Images/0002.jpg"]
    assert archive.read("INDEX.TXT").decode() == "Zoë\tMartin\r\n"
    assert archive.read("Images/0001.jpg") == photo
    assert archive.read("Images/0002.jpg") == b"second"
    # Photos are stored as they are; text is deflated.
    assert archive.getinfo("Images/0001.jpg").compress_type == zipfile.ZIP_STORED
    assert archive.getinfo("INDEX.TXT").compress_type == zipfile.ZIP_DEFLATED


def test_non_ascii_file_name_is_offered_to_the_browser():
    response = zip_response("École-yearbook.zip", [])
    assert "filename*=utf-8''%C3%89cole-yearbook.zip" in response["Content-Disposition"]
    assert read_back(response).namelist() == []


def test_a_callable_is_rendered_only_when_the_stream_reaches_it():
    rendered = []

    def render(n):
        def make():
            rendered.append(n)
            return bytes([n]) * 200_000  # larger than a chunk: each file is its own read

        return make

    response = zip_response("x.zip", ((f"{n}.jpg", render(n)) for n in range(5)))
    assert rendered == []  # building the response renders nothing
    chunks = iter(response.streaming_content)
    streamed = next(chunks)
    assert rendered == [0]
    for chunk in chunks:
        streamed += chunk
        # A file is rendered when its local header goes out, not before.
        assert len(rendered) == streamed.count(b"PK\x03\x04")
    assert rendered == [0, 1, 2, 3, 4]
    assert zipfile.ZipFile(io.BytesIO(streamed)).read("4.jpg") == bytes([4]) * 200_000


def test_a_callable_returning_none_leaves_its_entry_out():
    archive = read_back(zip_response("x.zip", [("a.txt", lambda: None), ("b.txt", b"b")]))
    assert archive.namelist() == ["b.txt"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "etc/passwd"),
        ("/etc/passwd", "etc/passwd"),
        ("Images/../../../x.jpg", "Images/x.jpg"),
        ("..\\..\\Windows\\win.ini", "_.._Windows_win.ini"),
        ("C:/boot.ini", "C_/boot.ini"),
        ("Images/.hidden", "Images/hidden"),
        ("Images/evil\u202egpj.exe", "Images/evil_gpj.exe"),
        ("a\x00b\nc.jpg", "a_b_c.jpg"),
        ("..", "_"),
    ],
)
def test_traversal_names_are_neutralised(name, expected):
    archive = read_back(zip_response("x.zip", [(name, b"data")]))
    assert archive.namelist() == [expected]


def test_same_name_twice_keeps_both_files():
    entries = [("Images/a.jpg", b"1"), ("images/A.jpg", b"2"), ("Images/a.jpg", b"3")]
    archive = read_back(zip_response("x.zip", entries))
    assert archive.namelist() == ["Images/a.jpg", "images/A (2).jpg", "Images/a (3).jpg"]
    assert [archive.read(n) for n in archive.namelist()] == [b"1", b"2", b"3"]


def test_safe_arcname_joins_cleaned_parts():
    assert safe_arcname("EJF/CP", "Images", "Léa: Martin.jpg") == "EJF_CP/Images/Léa_ Martin.jpg"
    assert safe_arcname("", "..", "a") == "a"


@given(st.lists(st.text(), min_size=1, max_size=4))
def test_no_arcname_can_escape_the_archive(parts):
    name = safe_arcname(*parts)
    assert name and not name.startswith("/")
    assert "\\" not in name and ":" not in name
    assert all(part and not part.startswith(".") for part in name.split("/"))


def test_memory_stays_bounded_by_one_file_while_streaming():
    megabyte = 1024 * 1024

    def entries():
        for n in range(200):
            yield f"Images/{n:04d}.jpg", lambda n=n: bytes([n % 256]) * megabyte

    total = 0
    tracemalloc.start()
    try:
        for chunk in zip_stream(entries()):
            total += len(chunk)  # consumed and dropped, as a web server does
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total > 200 * megabyte
    assert peak < 20 * megabyte, f"peak {peak / megabyte:.1f} MB"
