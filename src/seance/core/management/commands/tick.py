import json
import time

from django.core.management.base import BaseCommand

from seance.core.tick import registered, run_tick


class Command(BaseCommand):
    help = "Run the periodic jobs once (idempotent), or every N seconds with --every."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Change and send nothing: list what is due."
        )
        parser.add_argument(
            "--every", type=int, default=0, metavar="SECONDS", help="Keep running, every N s."
        )

    def handle(self, *args, **options):
        while True:
            failed = self._once(
                as_json=options["json"],
                dry_run=options["dry_run"],
                quiet_if_idle=bool(options["every"]),
            )
            if not options["every"]:
                if failed:
                    raise SystemExit(1)
                return
            time.sleep(options["every"])

    def _once(self, *, as_json: bool, dry_run: bool = False, quiet_if_idle: bool = False) -> bool:
        report = run_tick(dry_run=dry_run)
        if quiet_if_idle and not report.count and not report.failed:
            return False  # a loop that found nothing to do says nothing
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "now": report.now.isoformat(),
                        "dry_run": dry_run,
                        "jobs": sorted(registered()),
                        "done": report.done,
                        "failed": report.failed,
                    },
                    indent=2,
                    ensure_ascii=False,
                    default=str,
                )
            )
        else:
            for name, lines in report.done.items():
                for line in lines:
                    self.stdout.write(f"{name}: {line}")
            for name, error in report.failed.items():
                self.stderr.write(f"{name} failed: {error}")
            self.stdout.write(
                f"tick {report.now:%Y-%m-%d %H:%M:%S} UTC: {report.count} "
                f"{'due (dry run: nothing done)' if dry_run else 'done'}, "
                f"{len(report.failed)} failed, {len(registered())} jobs."
            )
        return bool(report.failed)
