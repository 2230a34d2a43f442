"""Exports people open on their own machines: spreadsheet-safe CSV (UTF-8 with a BOM, cells
that cannot run as formulas) and streamed ZIP archives whose names cannot escape their folder.
"""

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any

import zipstream
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ (or tab) gets a quote before it.

    Numbers stay numbers: a negative amount is data, not a formula.
    """
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def csv_rows(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Yield the CSV text chunk by chunk (for streaming), starting with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow([safe_cell(c) for c in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# --- ZIP archives ---------------------------------------------------------------------------

# Photos are already compressed: deflating them costs CPU and saves nothing. Text is deflated.
DEFLATED_SUFFIXES = frozenset({".txt", ".csv", ".tsv", ".xml", ".json", ".html"})
# Characters that would make a name a path (or a drive) on some system, and invisible ones.
_NAME_BREAKERS = frozenset("/\\:")
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_CHUNK = 64 * 1024

ZipData = bytes | str | Callable[[], bytes | str | None]


def _safe_part(part: str) -> str:
    cleaned = "".join(
        "_" if c in _NAME_BREAKERS or unicodedata.category(c) in _INVISIBLE else c
        for c in unicodedata.normalize("NFC", str(part))
    )
    # Leading dots make hidden files and "..": a parent folder. Windows drops trailing dots.
    return cleaned.strip().lstrip(".").rstrip(". ").strip()


def safe_arcname(*parts: Any) -> str:
    """A relative name inside a ZIP that stays inside it when unpacked, on any system.

    Each part becomes one path component: ``/``, ``\\``, ``:`` and control or invisible
    characters become ``_``, leading dots and surrounding spaces go; parts left empty are
    dropped. So ``safe_arcname("Images", "../../etc/passwd")`` is ``"Images/_.._etc_passwd"``
    and never an absolute path or a way up. A name with nothing left is ``"_"``.
    """
    kept = [p for p in (_safe_part(part) for part in parts) if p]
    return "/".join(kept) or "_"


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2).ext``… when an entry of that name (any case) is already in."""
    candidate, n = name, 1
    path = PurePosixPath(name)
    while candidate.casefold() in taken:
        n += 1
        candidate = str(path.with_name(f"{path.stem} ({n}){path.suffix}"))
    taken.add(candidate.casefold())
    return candidate


def zip_stream(entries: Iterable[tuple[str, ZipData]]) -> Iterator[bytes]:
    """The bytes of a ZIP archive of ``entries``, produced as the consumer reads them.

    ``entries`` yields ``(arcname, data)``: ``data`` is bytes (or text, written as UTF-8), or
    a callable returning them that is called only when the stream reaches that entry (a
    callable returning None leaves the entry out). The
    entries themselves are pulled one at a time, so memory holds one file, whatever the
    archive's size. Arcnames are split on ``/`` and cleaned by :func:`safe_arcname`; a name
    met twice gets a `` (2)`` suffix rather than hiding the first file.
    """
    archive = zipstream.ZipStream(compress_type=zipstream.ZIP_STORED, sized=False)
    taken: set[str] = set()
    pending: list[bytes] = []
    size = 0
    for arcname, data in entries:
        content = data() if callable(data) else data
        if content is None:
            continue
        if isinstance(content, str):
            content = content.encode()
        name = _unique(safe_arcname(*str(arcname).split("/")), taken)
        deflate = PurePosixPath(name).suffix.lower() in DEFLATED_SUFFIXES
        archive.add(
            content,
            name,
            compress_type=zipstream.ZIP_DEFLATED if deflate else zipstream.ZIP_STORED,
        )
        del content
        for chunk in archive.all_files():
            # Headers are a few dozen bytes: gather them, pass file data on as it comes.
            if len(chunk) >= _CHUNK:
                if pending:
                    yield b"".join(pending)
                    pending, size = [], 0
                yield chunk
            else:
                pending.append(chunk)
                size += len(chunk)
                if size >= _CHUNK:
                    yield b"".join(pending)
                    pending, size = [], 0
    yield b"".join([*pending, *archive.footer()])


def zip_response(filename: str, entries: Iterable[tuple[str, ZipData]]) -> StreamingHttpResponse:
    """A download of ``entries`` as a ZIP named ``filename``, streamed (see :func:`zip_stream`).

    Nothing is read or rendered before the client starts reading; a callable entry is
    rendered when the stream reaches it.
    """
    response = StreamingHttpResponse(zip_stream(entries), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=safe_arcname(filename)
    )
    response["Cache-Control"] = "private, no-store"
    return response


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable[Any]]):
    """A download of ``rows`` as spreadsheet-safe CSV named ``filename``, streamed
    (see :func:`csv_rows`)."""
    response = StreamingHttpResponse(csv_rows(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=safe_arcname(filename)
    )
    response["Cache-Control"] = "private, no-store"
    return response
