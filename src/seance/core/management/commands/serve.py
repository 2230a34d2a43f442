import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication


class Command(BaseCommand):
    help = (
        "Serve Séance with gunicorn and whitenoise: migrates, collects static files, runs "
        "the periodic tick every minute. --demo loads the demo data first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="Address:port to listen on.")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--demo", action="store_true", help="Load the demo data first.")
        parser.add_argument(
            "--no-tick", action="store_true", help="Do not run the periodic tick here."
        )
        parser.add_argument(
            "--no-migrate", action="store_true", help="Do not apply pending migrations."
        )
        parser.add_argument(
            "--ftp",
            metavar="ADDR",
            help="Also run the FTP import server on this address, e.g. 0.0.0.0:2121.",
        )

    def handle(self, *args, **options):
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if options["demo"]:
            call_command("demo_data", stdout=self.stdout)
        children = []
        if not options["no_tick"]:
            children.append(
                subprocess.Popen(
                    [sys.executable, "-m", "seance.cli", "tick", "--every", "60"],
                    env=os.environ.copy(),
                )
            )
        if options["ftp"]:
            children.append(
                subprocess.Popen(  # noqa: S603 - our own command; the address is an argument
                    [sys.executable, "-m", "seance.cli", "ftp", "--bind", options["ftp"]],
                    env=os.environ.copy(),
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Séance on http://{options['bind']}/  (data in {settings.DATA_DIR})"
            )
        )
        try:
            _Gunicorn(
                {
                    "bind": options["bind"],
                    "workers": options["workers"],
                    "threads": options["threads"],
                    "worker_class": "gthread",
                    "accesslog": "-",
                    "timeout": 120,
                }
            ).run()
        finally:
            for child in children:
                child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()


class _Gunicorn(BaseApplication):
    def __init__(self, options):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from seance.wsgi import application

        return application
