"""The ``seance`` command: every Django management command, plus serve, tick, demo-data.

Command names take hyphens or underscores alike (``seance demo-data`` = ``demo_data``).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
        if argv[1] == "serve" and "--demo" in argv:
            # The demo is for looking around on one's own machine: show errors in full.
            os.environ.setdefault("SEANCE_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seance.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
