"""P11: the FTP import server, driven by a real FTP client (ftplib) on a free local port."""

import argparse
import datetime as dt
import ftplib
import hashlib
import logging
import socket
import struct
import threading
import time
from pathlib import Path

import pytest

from seance.core.models import Organizer
from seance.photos import ftp, services
from seance.photos.models import Photo, SessionStatus
from tests.photos.fakes import camera_jpeg
from tests.photos.test_ingest import _private_storage  # noqa: F401 — autouse: originals in tmp

pytestmark = pytest.mark.django_db(transaction=True)  # the server thread has its own connection


@pytest.fixture
def data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


@pytest.fixture
def server(data_dir):
    server = ftp.make_server(("127.0.0.1", 0))
    server.handler.auth_failed_timeout = 0  # pyftpdlib waits 3 s after a wrong password
    server.poll_timeout = 0.1  # client threads notice the stop quickly
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server
    stop.set()
    thread.join(5)
    server.close_all()


@pytest.fixture
def account(organizer, owner):
    return services.reset_ftp_password(organizer, user=owner)


@pytest.fixture
def client(server, account, session):
    ftp_account, password = account
    client = connect(server, ftp_account.username, password)
    yield client
    try:
        client.quit()
    except (OSError, EOFError, ftplib.Error):
        client.close()


def connect(server, username, password) -> ftplib.FTP:
    client = ftplib.FTP()  # noqa: S321 — the FTP import is what is tested
    client.connect(*server.address[:2], timeout=30)  # generous: CI machines can be busy
    client.login(username, password)
    return client


def store(client, path: str, data: bytes) -> str:
    from io import BytesIO

    return client.storbinary(f"STOR {path}", BytesIO(data))


def photo(seed: int) -> bytes:
    return camera_jpeg(size=(480, 320), seed=seed, taken_at=dt.datetime(2026, 11, 20, 9, 0, seed))


def staged_files(data_dir: Path) -> list[Path]:
    """Every file in the staging folders, hidden staging files included."""
    return [p for p in (data_dir / "ftp").rglob("*") if p.is_file()]


def new_session(organizer, user, reference: str, shooting_date: dt.date):
    return services.create_session(
        organizer,
        user=user,
        name=reference,
        reference=reference,
        shooting_date=shooting_date,
        sponsor=services.create_sponsor(organizer, user=user, name=f"School {reference}"),
        segment=services.create_segment(organizer, user=user, name=f"Segment {reference}"),
        watermark_text="Proof",
    )


def wait_until(condition, seconds: float = 20.0) -> None:
    """For what another connection's thread does on its own time."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def names(client, path: str) -> set[str]:
    return {name.rsplit("/", 1)[-1] for name in client.nlst(path)}


def test_login_checks_the_password_and_shows_the_sessions(
    server, account, session, organizer, owner, today, caplog
):
    caplog.set_level(logging.DEBUG)
    ftp_account, password = account
    with pytest.raises(ftplib.error_perm, match="530"):
        connect(server, ftp_account.username, "not-the-password")
    archived = new_session(organizer, owner, "OLD-1", today)
    services.change_session_status(archived, SessionStatus.ARCHIVED, user=owner)

    client = connect(server, ftp_account.username, password)
    assert names(client, "/") == {"_jobs"}
    assert names(client, "_jobs") == {"EJF-CP"}  # archived sessions take no photos

    later = new_session(organizer, owner, "NEW-1", today)
    assert names(client, "_jobs") == {"EJF-CP", "NEW-1"}  # no need to log in again
    services.change_session_status(later, SessionStatus.ARCHIVED, user=owner)
    assert names(client, "_jobs") == {"EJF-CP"}
    client.quit()
    assert password not in caplog.text


def test_uploads_are_imported_into_albums_and_leave_no_copy(client, session, data_dir, caplog):
    caplog.set_level(logging.INFO, logger="seance.photos.ftp")
    client.mkd("_jobs/EJF-CP/CP-A")
    first = store(client, "_jobs/EJF-CP/CP-A/IMG_0001.JPG", photo(1))
    store(client, "_jobs/EJF-CP/CP-A/IMG_0002.JPG", photo(2))
    assert first.startswith("226") and "imported into EJF-CP / CP-A" in first
    photos = Photo.objects.filter(session=session).select_related("album").order_by("import_order")
    assert [(p.original_name, p.album.name) for p in photos] == [
        ("IMG_0001.JPG", "CP-A"),
        ("IMG_0002.JPG", "CP-A"),
    ]
    assert staged_files(data_dir) == []
    assert names(client, "_jobs/EJF-CP") == {"CP-A"}

    again = store(client, "_jobs/EJF-CP/CP-A/IMG_0001 copy.JPG", photo(1))
    assert again.startswith("226") and "imported before" in again
    assert Photo.objects.filter(session=session).count() == 2

    store(client, "_jobs/EJF-CP/IMG_0003.JPG", photo(3))  # right in the session folder
    assert Photo.objects.get(original_name="IMG_0003.JPG").album.name == "Individual photos"
    assert staged_files(data_dir) == []
    assert "_jobs/EJF-CP/CP-A/IMG_0001.JPG: imported into EJF-CP / CP-A" in caplog.text


def test_a_corrupt_file_is_refused_and_the_others_stay(client, session, data_dir, caplog):
    store(client, "_jobs/EJF-CP/good.jpg", photo(1))
    with pytest.raises(ftplib.error_perm, match=r"^550 .*bad\.jpg: not imported: .*damaged"):
        store(client, "_jobs/EJF-CP/bad.jpg", b"\xff\xd8garbage")
    assert list(Photo.objects.values_list("original_name", flat=True)) == ["good.jpg"]
    assert staged_files(data_dir) == []
    assert "bad.jpg: not imported" in caplog.text
    client.voidcmd("NOOP")  # the connection goes on


def _half_upload(client, path: str) -> socket.socket:
    data = photo(5)
    conn = client.transfercmd(f"STOR {path}")
    conn.sendall(data[: len(data) // 2])
    return conn


def test_an_upload_cut_mid_file_imports_nothing(client, server, account, session, data_dir):
    # ABOR during the transfer.
    conn = _half_upload(client, "_jobs/EJF-CP/aborted.jpg")
    reply = client.abort()
    conn.close()
    if reply.startswith("426"):
        client.voidresp()  # "226 ABOR command successful."
    # The data connection reset (the client crashed, the network dropped) once the server is
    # receiving the file (a reset before it even reads is another story: no transfer).
    conn = _half_upload(client, "_jobs/EJF-CP/reset.jpg")
    wait_until(lambda: any(p.stat().st_size > 0 for p in staged_files(data_dir)))
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
    with pytest.raises(ftplib.error_temp, match="426"):
        client.voidresp()
    # Closed half-way: for FTP that is the end of the file, which is then found cut short.
    conn = _half_upload(client, "_jobs/EJF-CP/short.jpg")
    conn.close()
    with pytest.raises(ftplib.error_perm, match=r"short\.jpg: not imported"):
        client.voidresp()
    # The control connection lost during the transfer.
    other = connect(server, account[0].username, account[1])
    conn = _half_upload(other, "_jobs/EJF-CP/lost.jpg")
    other.sock.close()
    conn.close()
    wait_until(lambda: staged_files(data_dir) == [])

    store(client, "_jobs/EJF-CP/whole.jpg", photo(5))
    assert list(Photo.objects.values_list("original_name", flat=True)) == ["whole.jpg"]
    assert staged_files(data_dir) == []


def test_two_cameras_sending_the_same_name_at_once_both_arrive(client, server, account, session):
    other = connect(server, account[0].username, account[1])
    first, second = photo(11), photo(12)
    # No TYPE I here: an ASCII-mode upload is stored byte for byte all the same.
    into_first = client.transfercmd("STOR _jobs/EJF-CP/IMG_0001.JPG")
    into_second = other.transfercmd("STOR _jobs/EJF-CP/IMG_0001.JPG")
    pieces = [
        (conn, data[: len(data) // 2], data[len(data) // 2 :])
        for conn, data in ((into_first, first), (into_second, second))
    ]
    for conn, head, _tail in pieces:  # the two uploads interleave
        conn.sendall(head)
    for conn, _head, tail in pieces:
        conn.sendall(tail)
    into_first.close()
    into_second.close()
    assert "imported" in client.voidresp() and "imported" in other.voidresp()
    assert set(Photo.objects.values_list("sha256", flat=True)) == {
        hashlib.sha256(first).hexdigest(),
        hashlib.sha256(second).hexdigest(),
    }
    other.quit()


def test_files_outside_a_session_folder_are_not_imported(client, session, data_dir):
    with pytest.raises(ftplib.error_perm, match="550 Photos go into _jobs/<session reference>/"):
        store(client, "stray.jpg", photo(1))
    with pytest.raises(ftplib.error_perm, match="550 Photos go into"):
        store(client, "_jobs/stray.jpg", photo(1))
    with pytest.raises(ftplib.error_perm, match="550 Folders can only be made inside"):
        client.mkd("_jobs/NOPE")
    with pytest.raises(ftplib.error_perm, match="550 Only files and album folders"):
        client.rmd("_jobs/EJF-CP")
    with pytest.raises(ftplib.error_perm, match="550 Nothing can be downloaded"):
        client.retrbinary("RETR _jobs/EJF-CP/x.jpg", lambda block: None)
    # A folder left from a session that is gone: the upload is refused once received.
    (data_dir / "ftp" / "lumiere" / "_jobs" / "NOPE").mkdir()
    with pytest.raises(ftplib.error_perm, match=r"553 .*there is no session NOPE"):
        store(client, "_jobs/NOPE/x.jpg", photo(1))
    assert Photo.objects.count() == 0
    assert staged_files(data_dir) == []


def test_an_upload_under_a_temporary_name_is_imported_when_renamed(client, session, data_dir):
    reply = store(client, "_jobs/EJF-CP/IMG_0007.JPG.partial", photo(7))
    assert "waiting for its final name" in reply and Photo.objects.count() == 0
    client.sendcmd("RNFR _jobs/EJF-CP/IMG_0007.JPG.partial")
    reply = client.sendcmd("RNTO _jobs/EJF-CP/IMG_0007.JPG")
    assert reply.startswith("250") and "imported" in reply
    assert Photo.objects.get().original_name == "IMG_0007.JPG"
    assert staged_files(data_dir) == []


def test_an_account_sees_only_its_own_sessions(client, session, stranger, today):
    other = Organizer.objects.get(slug="other")
    for reference in ("EJF-CP", "OTHER-1"):
        new_session(other, stranger, reference, today)
    assert names(client, "_jobs") == {"EJF-CP"}
    with pytest.raises(ftplib.error_perm):
        client.cwd("../other")
    assert client.pwd() == "/"
    store(client, "_jobs/EJF-CP/mine.jpg", photo(1))
    assert Photo.objects.get().session == session


def test_command_line_addresses():
    from seance.photos.management.commands.ftp import bind_address, port_range

    assert bind_address("127.0.0.1:2121") == ("127.0.0.1", 2121)
    assert bind_address(":21") == ("0.0.0.0", 21)  # noqa: S104
    assert bind_address("[::1]:2121") == ("::1", 2121)
    assert port_range("30000-30009") == range(30000, 30010)
    for wrong in ("2121", "host:port"):
        with pytest.raises(argparse.ArgumentTypeError):
            bind_address(wrong)
    for wrong in ("30009-30000", "80-90", "a-b"):
        with pytest.raises(argparse.ArgumentTypeError):
            port_range(wrong)
