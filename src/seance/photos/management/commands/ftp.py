"""``seance ftp [--bind 127.0.0.1:2121] [--passive-ports 30000-30009]`` (P11).

Each organizer's FTP account sees ``_jobs/<session reference>/<album>/``; every completed
upload is imported at once (see :mod:`seance.photos.ftp`).
"""

import argparse
import signal
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from seance.photos import ftp


def bind_address(text: str) -> tuple[str, int]:
    """``HOST:PORT``, ``:PORT`` (all interfaces) or ``[IPV6]:PORT``."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    host = host.strip("[]") or "0.0.0.0"  # noqa: S104 — asked for explicitly with ":PORT"
    return host, int(port)


def port_range(text: str) -> range:
    """``FIRST-LAST`` (both included), or a single port."""
    first, _sep, last = text.partition("-")
    try:
        low, high = int(first), int(last or first)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected FIRST-LAST, got {text!r}") from None
    if not 1024 <= low <= high <= 65535:
        raise argparse.ArgumentTypeError(f"expected ports between 1024 and 65535, got {text!r}")
    return range(low, high + 1)


class Command(BaseCommand):
    help = (
        "Run the FTP server for photo import: each organizer's FTP account sees "
        "_jobs/<session reference>/<album>/, and every completed upload is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            type=bind_address,
            default=("127.0.0.1", 2121),
            metavar="HOST:PORT",
            help="Where to listen (default 127.0.0.1:2121).",
        )
        parser.add_argument(
            "--passive-ports",
            type=port_range,
            metavar="FIRST-LAST",
            help="Ports for passive data connections, e.g. 30000-30009 (open them in the "
            "firewall). Default: any free port.",
        )
        parser.add_argument(
            "--masquerade-address",
            metavar="IP",
            help="The public address given to clients for passive connections, behind NAT.",
        )

    def handle(self, *args, **options):
        try:
            server = ftp.make_server(
                options["bind"],
                passive_ports=options["passive_ports"],
                masquerade_address=options["masquerade_address"],
            )
        except OSError as e:
            host, port = options["bind"]
            raise CommandError(f"Cannot listen on {host}:{port}: {e.strerror or e}") from e
        host, port = server.address[:2]
        ports = options["passive_ports"]
        self.stdout.write(
            f"FTP import server on {host}:{port}"
            + (f", passive ports {ports.start}-{ports.stop - 1}" if ports else "")
            + f"; staging in {settings.DATA_DIR / 'ftp'}. Ctrl-C stops it."
        )
        # Stopped by Ctrl-C or SIGTERM (systemd, Docker), the server closes every connection:
        # uploads cut this way are deleted, never imported half.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        server.serve_forever()
