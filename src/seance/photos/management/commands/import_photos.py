"""``seance import-photos SESSION_REF PATH… [--album NAME] [--json]`` (P12)."""

import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from seance.photos import services
from seance.photos.management.commands.cards import find_session

SKIPPED_NAMES = {"thumbs.db", "desktop.ini"}


def _files(paths: list[str], album: str | None) -> list[tuple[Path, str]]:
    """(file, album name) in import order. Sub-folders of a folder become albums."""
    found: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            found.append((path, album or ""))
        elif path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                relative = file.relative_to(path)
                if any(part.startswith(".") for part in relative.parts):
                    continue  # .DS_Store, ._IMG_0001.JPG and the like
                if file.name.lower() in SKIPPED_NAMES:
                    continue
                folder = relative.parts[0] if len(relative.parts) > 1 else ""
                found.append((file, album or folder))
        else:
            raise CommandError(f"No such file or folder: {path}")
    return found


def _ingest_one(job: tuple[int, str, str, int]) -> dict:
    """Runs in a worker process: one file in, one line of the report out."""
    session_pk, path, album_name, order = job
    from seance.photos.models import Session

    session = Session.objects.select_related("organizer").get(pk=session_pk)
    album = services.get_or_create_album(session, album_name)
    name = Path(path).name
    try:
        data = Path(path).read_bytes()
        result = services.ingest_photo(
            session,
            album=album,
            data=data,
            filename=name,
            import_order=order,
            watermark=_watermark(session),
        )
    except services.ImportProblem as e:
        return {"file": path, "status": "error", "kind": e.kind, "message": e.message}
    except OSError as e:
        return {"file": path, "status": "error", "kind": "unreadable", "message": str(e)}
    except Exception as e:  # one file's surprise must not lose the report of the others
        return {"file": path, "status": "error", "kind": "internal", "message": repr(e)}
    photo = result.photo
    return {
        "file": path,
        "status": "duplicate" if result.duplicate else "imported",
        "album": album.name,
        "card": photo.card_code or None,
        "foreign_qr": photo.foreign_qr,
        "warnings": photo.warnings,
    }


_WATERMARKS: dict[int, object] = {}


def _watermark(session):
    """One watermark (and its logo) per worker process, not one per photo."""
    if session.pk not in _WATERMARKS:
        _WATERMARKS[session.pk] = services.session_watermark(session)
    return _WATERMARKS[session.pk]


def _worker_start():
    import django

    django.setup()


class Command(BaseCommand):
    help = (
        "Import photos into a session: files, or folders whose sub-folders become albums. "
        "Runs on every core; the same file imported twice is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("reference", help="The session reference.")
        parser.add_argument("paths", nargs="+", help="Photos or folders of photos.")
        parser.add_argument("--album", help="Put every photo into this album.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
        parser.add_argument("--organizer", help="The organizer's short name, if needed.")

    def handle(self, *args, **options):
        session = find_session(options["reference"], options["organizer"])
        files = _files(options["paths"], options["album"])
        if not files:
            raise CommandError("No file to import.")
        base = time.time_ns() // 1000
        jobs = [(session.pk, str(path), album, base + i) for i, (path, album) in enumerate(files)]
        for name in dict.fromkeys(a for _, a in files):  # albums in the order they come
            services.get_or_create_album(session, name)
        report: list[dict] = []
        started = time.monotonic()
        workers = max(1, min(options["workers"], len(jobs)))
        show_progress = not options["json"] and sys.stderr.isatty()
        if workers == 1:
            results = map(_ingest_one, jobs)
        else:
            connections.close_all()  # each worker opens its own connection
            pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_start)
            results = pool.map(_ingest_one, jobs, chunksize=4)
        try:
            for line in results:
                report.append(line)
                if show_progress:
                    self._progress(report, len(jobs), started)
        finally:
            if workers > 1:
                pool.shutdown()
        if show_progress:
            sys.stderr.write("\n")
        self._report(report, session, started, as_json=options["json"])
        if any(line["status"] == "error" for line in report):
            raise SystemExit(1)

    def _progress(self, report, total, started):
        done = len(report)
        errors = sum(1 for r in report if r["status"] == "error")
        rate = done / max(time.monotonic() - started, 1e-6)
        bar = "#" * int(30 * done / total)
        sys.stderr.write(f"\r[{bar:<30}] {done}/{total} photos · {rate:.1f}/s · {errors} errors")
        sys.stderr.flush()

    def _report(self, report, session, started, *, as_json: bool):
        summary = {
            "session": session.reference,
            "files": len(report),
            "imported": [r["file"] for r in report if r["status"] == "imported"],
            "duplicates": [r["file"] for r in report if r["status"] == "duplicate"],
            "errors": [
                {"file": r["file"], "kind": r["kind"], "message": r["message"]}
                for r in report
                if r["status"] == "error"
            ],
            "cards": [{"file": r["file"], "code": r["card"]} for r in report if r.get("card")],
            "foreign_qr": [r["file"] for r in report if r.get("foreign_qr")],
            "no_capture_time": [
                r["file"] for r in report if "no_capture_time" in (r.get("warnings") or [])
            ],
            "seconds": round(time.monotonic() - started, 2),
        }
        if as_json:
            self.stdout.write(json.dumps(summary, indent=2, ensure_ascii=False))
            return
        for error in summary["errors"]:
            self.stderr.write(f"{error['file']}: {error['message']}")
        self.stdout.write(
            f"{session.reference}: {len(summary['imported'])} imported, "
            f"{len(summary['duplicates'])} already there, {len(summary['errors'])} errors, "
            f"{len(summary['cards'])} cards found, in {summary['seconds']} s."
        )
