"""P11: the FTP import server (``seance ftp``), on pyftpdlib.

What an organizer's FTP account sees
    Logins are checked by :func:`services.check_ftp_login` (hashed password; the password is
    never logged — pyftpdlib itself masks ``PASS`` in its debug lines). The account's home is
    a private staging folder, ``DATA_DIR/ftp/<organizer slug>/`` (mode 0700), holding
    ``_jobs/<session reference>/`` for every session of the organizer that is not archived.
    These folders are made at login and brought up to date whenever the client lists or
    enters the home, ``_jobs`` or a session folder (CWD, CDUP, LIST, NLST, MLSD, MLST,
    STAT): a session created after login shows up at the next listing of ``_jobs``. Folders
    of sessions that are gone or archived are removed once nothing is staged in them.
    pyftpdlib keeps every path inside the home.

Where files may go
    Uploads (STOR) are accepted in a session folder — files there go to the album
    "Individual photos" — or in any folder below it; the first folder level below the session
    is the album (``_jobs/EJF-CP/CP-A/IMG_0001.JPG`` → album "CP-A"), as sub-folders are for
    ``seance import-photos``. Creating folders (MKD), deleting (DELE, RMD) and renaming
    (RNFR/RNTO) work only inside a session folder: the home, ``_jobs`` and the session folders
    themselves are fixed. Nothing can be downloaded (RETR): uploaded files move into Séance at
    once, and the originals are not served over FTP. Resuming (REST + STOR) and appending
    (APPE) are refused: a photo is sent whole. Uploads are stored byte for byte even in ASCII
    mode (TYPE A), which would otherwise rewrite line ends and damage every JPEG. A refused
    command gets a 550 reply saying where files go, not pyftpdlib's bare "Not enough
    privileges".

Each upload
    is written to a hidden staging file of its own in the target folder (two cameras both
    sending ``IMG_0001.JPG`` to the same album at once cannot mix their bytes), hidden from
    listings. When the client closes the data connection the file is complete and is
    imported at once with :func:`services.ingest_photo` (``import_order`` = the time in
    microseconds), then the staged copy is deleted: the original now lives in Séance's private
    storage. The reply to STOR is sent after the import and says what became of the file:
    ``226 … imported into EJF-CP / CP-A``, ``226 … imported before; nothing changed``, or a
    5xx with the reason (``550`` for a file that is not a usable photo — damaged, cut short,
    not a JPEG, too large — or a session that takes no photos; ``553`` for a file outside
    ``_jobs/<session reference>/`` or in the folder of a session that no longer exists; ``451``
    for an internal error, after which sending again is safe). FTP clients show that reply per
    file, and the server logs one line per file (imported / duplicate / error with its message).
    Files named like an upload in progress (``*.part``, ``*.partial``, ``*.filepart``,
    ``*.tmp``, ``*.temp``, lftp's ``.in.*``) wait under that name for the client's RNTO to the
    final name, which imports them and answers likewise; other hidden files and ``Thumbs.db``,
    ``desktop.ini`` are deleted without import.

An upload cut mid-file
    (ABOR, connection reset, control connection lost, data connection idle past its timeout,
    or more than :data:`imaging.MAX_PHOTO_BYTES` sent) reaches ``on_incomplete_file_received``:
    the partial file is deleted, nothing is imported, and a warning is logged. A client that
    simply closes the data connection half-way cannot be told apart from a finished upload
    (FTP stream mode ends a file that way): that file is imported, found cut short by
    :func:`services.ingest_photo`, refused with a clear message, and deleted. Either way every
    other photo stays as it was. Staging files left by a crash are deleted at a later listing
    once untouched for an hour.

Concurrency and the database
    :class:`ImportFTPServer` is a pyftpdlib ``ThreadedFTPServer``: one thread per client
    connection, so one slow import blocks only its own client. Imports run synchronously in
    that thread; every piece of database work is wrapped in ``close_old_connections()``
    before and after, and each thread closes its connections when its client leaves.
    pyftpdlib's CWD would change the process's working directory (shared by all threads): the
    filesystem here checks the folder without ``chdir``.

Use :func:`make_server` from the ``seance ftp`` command, or from tests on port 0.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connections
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.exceptions import AuthenticationFailed, FilesystemError, _RetryError
from pyftpdlib.filesystems import AbstractedFS
from pyftpdlib.handlers import DTPHandler, FTPHandler
from pyftpdlib.ioloop import IOLoop
from pyftpdlib.servers import ThreadedFTPServer
from pyftpdlib.utils import strerror

from seance.core.models import Organizer, reference_validator
from seance.photos import imaging, services
from seance.photos.models import Session, SessionStatus

logger = logging.getLogger("seance.photos.ftp")

JOBS = "_jobs"
STAGING_PREFIX = ".seance-upload-"
STALE_STAGING_SECONDS = 3600
PERMS = "elmwdf"  # list, enter, mkdir, store, delete, rename — no read, append, chmod, mtime
TEMPORARY_SUFFIXES = (".part", ".partial", ".filepart", ".tmp", ".temp")
SKIPPED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}
WHERE_PHOTOS_GO = "Photos go into _jobs/<session reference>/ or an album folder inside it"
LOGIN_MESSAGE = (
    "Welcome to Séance. Upload photos into _jobs/<session reference>/, one sub-folder per "
    "album (class); files right in the session folder go to “Individual photos”."
)
REFUSALS = {
    "w": WHERE_PHOTOS_GO + ".",
    "m": "Folders can only be made inside a session folder: _jobs/<session reference>/<album>.",
    "d": "Only files and album folders inside a session folder can be deleted.",
    "f": "Only files and album folders inside a session folder can be renamed.",
    "r": "Nothing can be downloaded here: uploaded photos move into Séance at once.",
    "a": "Appending is not offered: send the whole file again.",
}


# --- the staging folders -----------------------------------------------------------------


@contextlib.contextmanager
def _database():
    """Database work in an FTP thread: drop stale connections before and after."""
    close_old_connections()
    try:
        yield
    finally:
        close_old_connections()


def home_for(organizer: Organizer) -> Path:
    return Path(settings.DATA_DIR) / "ftp" / organizer.slug


def _usable_reference(reference: str) -> bool:
    try:
        reference_validator(reference)
    except ValidationError:
        return False
    return True


def sync_job_folders(organizer: Organizer) -> str:
    """Make the organizer's staging home with ``_jobs/<reference>/`` for each session still
    taking photos; remove the folders of other sessions once nothing is staged in them.
    Returns the home's real path."""
    home = home_for(organizer)
    jobs = home / JOBS
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    jobs.mkdir(mode=0o700, exist_ok=True)
    references = set(
        Session.objects.filter(organizer=organizer)
        .exclude(status=SessionStatus.ARCHIVED)
        .values_list("reference", flat=True)
    )
    for reference in references:
        if _usable_reference(reference):
            (jobs / reference).mkdir(exist_ok=True)
    for entry in jobs.iterdir():
        if entry.is_dir() and not entry.is_symlink() and entry.name not in references:
            _prune(entry)
    _delete_stale_staging(jobs)
    return os.path.realpath(home)


def _prune(folder: Path) -> None:
    """Remove ``folder`` and its sub-folders as far as they hold no file."""
    for dirpath, _dirnames, _filenames in os.walk(folder, topdown=False):
        with contextlib.suppress(OSError):
            os.rmdir(dirpath)


def _delete_stale_staging(jobs: Path) -> None:
    """Staging files of uploads that died with a crashed server (a live upload writes often)."""
    limit = time.time() - STALE_STAGING_SECONDS
    for dirpath, _dirnames, filenames in os.walk(jobs):
        for name in filenames:
            if name.startswith(STAGING_PREFIX):
                path = os.path.join(dirpath, name)
                with contextlib.suppress(OSError):
                    if os.lstat(path).st_mtime < limit:
                        os.remove(path)


def _parts(home: str, path: str) -> tuple[str, ...] | None:
    """The components of ``path`` below ``home``; None when it is not inside."""
    relative = os.path.relpath(os.path.realpath(path), home)
    if relative == ".":
        return ()
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return tuple(relative.split(os.sep))


def _in_session_folder(home: str, parts: tuple[str, ...] | None) -> bool:
    """Whether ``parts`` names something inside (not equal to) a session folder."""
    return (
        parts is not None
        and len(parts) >= 3
        and parts[0] == JOBS
        and os.path.isdir(os.path.join(home, JOBS, parts[1]))
    )


def refusal(home: str, perm: str, path: str) -> str | None:
    """Why the account may not do ``perm`` (pyftpdlib's letters) on ``path``, or None."""
    parts = _parts(home, path)
    if parts is None:
        return "Outside your folder."
    if perm in "el":
        return None
    if perm in "wmdf":
        return None if _in_session_folder(home, parts) else REFUSALS[perm]
    return REFUSALS.get(perm, "Not allowed here.")


def _name_kind(name: str) -> str:
    """ "temporary" (an upload waiting for its final name), "skipped" (system litter) or
    "photo"."""
    lower = name.lower()
    if lower.endswith(TEMPORARY_SUFFIXES) or lower.startswith(".in."):
        return "temporary"
    if lower in SKIPPED_NAMES or lower.startswith("."):
        return "skipped"
    return "photo"


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


# --- authentication ---------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    organizer_id: int
    organizer_slug: str
    home: str


class SeanceAuthorizer(DummyAuthorizer):
    """FTP accounts from the database; the home is the organizer's staging folder."""

    def __init__(self):
        super().__init__()
        self._logins: dict[str, Login] = {}

    def validate_authentication(self, username, password, handler):
        try:
            with _database():
                account = services.check_ftp_login(username, password)
                if account is None:
                    raise AuthenticationFailed("Authentication failed.")
                organizer = account.organizer
                home = sync_job_folders(organizer)
        except AuthenticationFailed:
            raise
        except Exception as e:
            logger.exception("FTP login of %r could not be checked", username)
            raise AuthenticationFailed("Login is not possible right now; try again later.") from e
        self._logins[username] = Login(organizer.pk, organizer.slug, home)

    def login(self, username: str) -> Login:
        return self._logins[username]

    def has_user(self, username):
        return username in self._logins

    def get_home_dir(self, username):
        return self._logins[username].home

    def get_perms(self, username):
        return PERMS

    def has_perm(self, username, perm, path=None):
        login = self._logins.get(username)
        if login is None or perm not in PERMS:
            return False
        return path is None or refusal(login.home, perm, path) is None

    def get_msg_login(self, username):
        return LOGIN_MESSAGE

    def get_msg_quit(self, username):
        return "Goodbye."


# --- files ------------------------------------------------------------------------------


class StagingFS(AbstractedFS):
    """pyftpdlib's filesystem, confined to the home, with one staging file per upload."""

    def open(self, filename, mode):
        if mode == "wb":
            fd, staged = tempfile.mkstemp(prefix=STAGING_PREFIX, dir=os.path.dirname(filename))
            os.close(fd)
            self.cmd_channel.uploads[staged] = filename
            return open(staged, "wb")  # pyftpdlib closes it when the transfer ends
        if "r" in mode and "+" not in mode:
            return super().open(filename, mode)
        raise FilesystemError("Resuming an upload is not offered: send the whole file again")

    def chdir(self, path):
        # Check the folder without os.chdir: the working directory is the whole process's.
        info = os.stat(path)
        if not stat.S_ISDIR(info.st_mode):
            raise NotADirectoryError(20, os.strerror(20), path)
        self.cwd = self.fs2ftp(path)

    def listdir(self, path):
        return [name for name in super().listdir(path) if not name.startswith(STAGING_PREFIX)]

    def listdirinfo(self, path):
        return self.listdir(path)


@dataclass(frozen=True)
class Outcome:
    status: str  # imported | duplicate | skipped | waiting | error | rejected | failed
    message: str

    @property
    def ok(self) -> bool:
        return self.status in {"imported", "duplicate", "skipped", "waiting"}

    def reply(self, success: str) -> str:
        code = {"error": "550", "rejected": "553", "failed": "451"}.get(self.status, success)
        return f"{code} {_one_line(self.message)}"


class ImportDTPHandler(DTPHandler):
    """The data connection: a complete upload is answered after its import, not before."""

    def close(self):
        if (
            not self._closed
            and self.receive
            and self.transfer_finished
            and self.file_obj is not None
            and self._resp
        ):
            self.cmd_channel.deferred_reply = self._resp
            self._resp = ()
        super().close()

    def enable_receiving(self, type, cmd):
        # Byte for byte whatever TYPE the client chose: photos are never text, and an upload
        # in ASCII mode would otherwise have its line ends rewritten — a damaged JPEG.
        super().enable_receiving("i", cmd)

    def recv(self, buffer_size):
        if not self.receive:
            return super().recv(buffer_size)
        # pyftpdlib takes a reset connection for the end of the file: here it is a cut.
        try:
            data = self.socket.recv(buffer_size)
        except BlockingIOError as e:
            raise _RetryError from e
        except OSError as e:
            self.cut(f"connection broken: {e.strerror or e}", "426 The connection broke off")
            return b""
        if not data:
            self.handle_close()  # the client closed the data connection: the file is complete
        return data

    def handle_read(self):
        super().handle_read()
        if (
            not self._closed
            and self.receive
            and self.tot_bytes_received > imaging.MAX_PHOTO_BYTES
            and not self.transfer_finished
        ):
            self.cut("too large to be a photo", "552 The file is too large to be a photo")

    def cut(self, reason: str, reply: str) -> None:
        """End an upload before its end: the partial file is deleted, nothing is imported."""
        self.cmd_channel.cut_reason = reason
        self._resp = (f"{reply}; nothing was imported.", logger.info)
        self.close()

    handle_read_event = handle_read  # pyftpdlib binds its own handle_read here


class ImportHandler(FTPHandler):
    """One client connection: placement rules with clear replies, import of each upload."""

    abstracted_fs = StagingFS
    dtp_handler = ImportDTPHandler
    banner = "Séance photo import ready."

    def __init__(self, conn, server, ioloop=None):
        super().__init__(conn, server, ioloop=ioloop)
        self.login: Login | None = None
        self.uploads: dict[str, str] = {}  # staging file → the path the client asked for
        self.deferred_reply: tuple | None = None
        self.cut_reason: str | None = None
        self._watermarks: dict[tuple, object] = {}

    # --- session

    def on_login(self, username):
        self.login = self.authorizer.login(username)

    def on_logout(self, username):
        self.login = None

    def pre_process_command(self, line, cmd, arg):
        if self.authenticated and self.fs is not None and arg:
            perm = self.proto_cmds.get(cmd, {}).get("perm")
            if perm in REFUSALS and cmd != "STOU":
                path = self.fs.ftp2fs(arg)
                message = self.fs.validpath(path) and refusal(self.fs.root, perm, path)
                if message:
                    self.respond(f"550 {message}")
                    self.log_cmd(cmd, arg, 550, message)
                    return
        if self.authenticated and self.fs is not None and cmd in _LISTING:
            self._sync_if_needed(cmd, arg)
        super().pre_process_command(line, cmd, arg)

    def _sync_if_needed(self, cmd: str, arg: str) -> None:
        if cmd in ("CDUP", "XCUP"):
            ftp_path = ".."
        elif cmd in ("CWD", "XCWD"):
            ftp_path = arg or "/"
        elif cmd == "STAT" and not arg:
            return
        else:
            ftp_path = arg if arg and not arg.startswith("-") else self.fs.cwd
        parts = _parts(self.fs.root, self.fs.ftp2fs(ftp_path))
        if parts is None or len(parts) > 2 or self.login is None:
            return
        try:
            with _database():
                sync_job_folders(Organizer.objects.get(pk=self.login.organizer_id))
        except Exception:
            logger.exception("%s: the job folders could not be updated", self.login.organizer_slug)

    def close(self):
        pending = None
        if not self._closed and getattr(self, "_in_dtp_queue", None):
            pending = self._in_dtp_queue[0]  # STOR sent, data connection never made
        super().close()
        if pending is not None:
            self.uploads.pop(pending.name, None)
            _remove(pending.name)

    # --- uploads

    def on_file_received(self, file):
        reply, self.deferred_reply = self.deferred_reply, None
        outcome = self.take_in(file, self.uploads.pop(file, file))
        if reply is not None and not self._closed:
            self.respond(outcome.reply(reply[0][:3]), logfun=logger.debug)

    def on_incomplete_file_received(self, file):
        target = self.uploads.pop(file, file)
        reason, self.cut_reason = self.cut_reason or "aborted or disconnected", None
        received = getattr(self.data_channel, "tot_bytes_received", None)
        _remove(file)
        logger.warning(
            "%s cut: %s: upload stopped mid-file (%s)%s; the partial file was deleted and "
            "nothing was imported.",
            self._who(),
            self._where(target),
            reason,
            f" after {received} bytes" if received is not None else "",
        )

    def ftp_RNTO(self, path):
        """Renaming an upload from its temporary name to its final one imports it."""
        source = self._rnfr
        if not source or not os.path.isfile(source) or not self._importable(path):
            return super().ftp_RNTO(path)
        self._rnfr = None
        try:
            self.run_as_current_user(self.fs.rename, source, path)
        except (OSError, FilesystemError) as err:
            self.respond(f"550 {strerror(err)}.")
            return None
        self.respond(self.take_in(path, path).reply("250"))
        return (source, path)

    def _importable(self, path: str) -> bool:
        return _name_kind(os.path.basename(path)) != "temporary"

    def take_in(self, staged: str, target: str) -> Outcome:
        """Import the complete upload ``staged`` that the client sent as ``target``; the
        staged file is deleted afterwards, unless its name says it waits for a rename."""
        name = os.path.basename(target)
        in_session = self.fs is not None and _in_session_folder(self.fs.root, self._parts(target))
        if _name_kind(name) == "temporary" and in_session:
            if staged != target:
                os.replace(staged, target)
            return self._log(Outcome("waiting", f"{name} received; waiting for its final name."))
        try:
            outcome = self._import(staged, target)
        except Exception:
            logger.exception("%s %s: import failed", self._who(), self._where(target))
            outcome = Outcome(
                "failed", f"{self._where(target)}: not imported (internal error); send it again."
            )
        finally:
            _remove(staged)
        return self._log(outcome)

    def _import(self, staged: str, target: str) -> Outcome:
        where = self._where(target)
        name = os.path.basename(target)
        if _name_kind(name) == "skipped":
            return Outcome("skipped", f"{where}: not a photo; skipped.")
        parts = self._parts(target)
        if self.login is None or not _in_session_folder(self.fs.root, parts):
            return Outcome("rejected", f"{where}: not imported. {WHERE_PHOTOS_GO}.")
        with _database():
            session = (
                Session.objects.filter(
                    organizer_id=self.login.organizer_id, reference__iexact=parts[1]
                )
                .select_related("organizer")
                .first()
            )
            if session is None:
                return Outcome(
                    "rejected", f"{where}: not imported: there is no session {parts[1]} any more."
                )
            album_name = parts[2] if len(parts) > 3 else ""
            try:
                if os.path.getsize(staged) > imaging.MAX_PHOTO_BYTES:
                    problem = services.IMPORT_PROBLEMS["too_large"]
                    raise services.ImportProblem("too_large", str(problem))
                data = Path(staged).read_bytes()
                album = services.get_or_create_album(session, album_name)
                result = services.ingest_photo(
                    session,
                    album=album,
                    data=data,
                    filename=name,
                    import_order=time.time_ns() // 1000,
                    watermark=self._watermark(session),
                )
            except services.ImportProblem as e:
                return Outcome("error", f"{where}: not imported: {e.message}")
        if result.duplicate:
            return Outcome("duplicate", f"{where}: imported before; nothing changed.")
        card = " (QR card)" if result.photo.card_code else ""
        return Outcome(
            "imported", f"{where}: imported into {session.reference} / {album.name}{card}."
        )

    def _watermark(self, session: Session):
        key = (session.pk, session.updated_at)
        if key not in self._watermarks:
            self._watermarks = {key: services.session_watermark(session)}
        return self._watermarks[key]

    def _parts(self, path: str) -> tuple[str, ...] | None:
        return _parts(self.fs.root, path) if self.fs is not None else None

    def _where(self, path: str) -> str:
        parts = self._parts(path)
        return "/".join(parts) if parts else os.path.basename(path)

    def _who(self) -> str:
        return self.login.organizer_slug if self.login else f"[{self.username}]"

    def _log(self, outcome: Outcome) -> Outcome:
        level = logging.INFO if outcome.ok else logging.WARNING
        logger.log(level, "%s %s: %s", self._who(), outcome.status, outcome.message)
        return outcome


_LISTING = {"CWD", "XCWD", "CDUP", "XCUP", "LIST", "NLST", "MLSD", "MLST", "STAT"}


# --- the server -------------------------------------------------------------------------


class ImportFTPServer(ThreadedFTPServer):
    """One thread per client; each closes its database connections when its client leaves."""

    def __init__(self, *args, **kwargs):
        # pyftpdlib keeps these on the class; a server of its own can be stopped on its own.
        self._lock = threading.Lock()
        self._exit = threading.Event()
        super().__init__(*args, **kwargs)

    def _loop(self, handler):
        try:
            super()._loop(handler)
        finally:
            connections.close_all()


def make_server(
    address: tuple[str, int],
    *,
    passive_ports: range | list[int] | None = None,
    masquerade_address: str | None = None,
) -> ImportFTPServer:
    """The FTP import server, listening on ``address`` (port 0: any free port; see
    ``server.address``). Run it with ``serve_forever()``; stop it with ``close_all()``."""
    handler = type(
        "SeanceImportHandler",
        (ImportHandler,),
        {
            "authorizer": SeanceAuthorizer(),
            "passive_ports": list(passive_ports) if passive_ports else None,
            "masquerade_address": masquerade_address,
        },
    )
    return ImportFTPServer(address, handler, ioloop=IOLoop())
