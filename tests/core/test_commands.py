import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command

from seance.catalog.models import PriceProfile, Product
from seance.cli import main
from seance.core import tick
from seance.core.models import LogEntry, Membership, Organizer, User
from seance.photos.models import QrCard, Segment, Session, SessionStatus, Sponsor

MODELS = [
    Organizer,
    User,
    Membership,
    Sponsor,
    Segment,
    Session,
    PriceProfile,
    Product,
    LogEntry,
    QrCard,
]


@pytest.mark.django_db
def test_demo_data_is_complete_and_idempotent():
    out = StringIO()
    call_command("demo_data", stdout=out)
    counts = {m: m.objects.count() for m in MODELS}
    call_command("demo_data", stdout=StringIO())
    assert {m: m.objects.count() for m in MODELS} == counts

    org = Organizer.objects.get()
    assert {m.role for m in org.memberships.all()} == {"owner", "assistant"}
    assert Sponsor.objects.count() == 2 and Segment.objects.count() == 3
    assert set(Session.objects.values_list("status", flat=True)) == set(SessionStatus.values)
    demo = Session.objects.get(reference="DEMO-PRIMARY")
    assert demo.status == SessionStatus.PLANNED
    assert demo.access_type == "individual"
    assert demo.cards.count() == 12 and demo.cards.filter(class_name="CP-B").count() == 6
    kinds = set(demo.price_profile.products.values_list("kind", flat=True))
    assert {"print", "digital", "package"} <= kinds
    printed = out.getvalue()
    assert "owner@example.com / demo-owner" in printed
    assert "assistant@example.com / demo-assistant" in printed
    assert User.objects.get(email="owner@example.com").check_password("demo-owner")


@pytest.mark.django_db
def test_a_first_tick_on_the_demo_sends_its_due_messages_and_a_second_none(mailoutbox):
    """Issue 7: the demo's on-sale session has a plan and registered families."""
    import json

    from django.test import TestCase

    call_command("demo_data", stdout=StringIO())
    dry = StringIO()
    call_command("tick", "--dry-run", "--json", stdout=dry)
    due = json.loads(dry.getvalue())["done"]["photos.plans"]
    assert len(due) == 3 and {d["channel"] for d in due} == {"email"}
    assert mailoutbox == []
    first, second = StringIO(), StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("tick", stdout=first)
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("tick", stdout=second)
    assert len(mailoutbox) == 3
    assert sorted(m.to[0] for m in mailoutbox) == sorted(d["recipient"] for d in due)
    assert first.getvalue().count("photos.plans: queued") == 3
    assert "0 done" in second.getvalue()


@pytest.mark.django_db
def test_tick_runs_registered_jobs_and_reports(monkeypatch):
    calls = []
    monkeypatch.setattr(tick, "_jobs", {})

    @tick.register("greet")
    def greet(now, dry_run=False):
        calls.append(now)
        return ["said hello"]

    out = StringIO()
    call_command("tick", stdout=out)
    assert "greet: said hello" in out.getvalue()
    assert "1 done, 0 failed, 1 jobs" in out.getvalue()

    out = StringIO()
    call_command("tick", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["jobs"] == ["greet"] and report["done"] == {"greet": ["said hello"]}
    assert len(calls) == 2


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_others(monkeypatch):
    monkeypatch.setattr(tick, "_jobs", {})
    tick.register("broken")(lambda now, dry_run=False: 1 / 0)
    tick.register("fine")(lambda now, dry_run=False: ["ok"])
    report = tick.run_tick()
    assert report.done == {"fine": ["ok"]}
    assert "ZeroDivisionError" in report.failed["broken"]
    with pytest.raises(SystemExit):
        call_command("tick", stdout=StringIO(), stderr=StringIO())


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["seance", "demo-data"], ["seance", "demo_data"]),
        (["seance", "migrate", "--plan"], ["seance", "migrate", "--plan"]),
        (["seance", "--version"], ["seance", "--version"]),
    ],
)
def test_seance_command_accepts_hyphenated_names(monkeypatch, argv, expected):
    seen = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", seen.append)
    main(argv)
    assert seen == [expected]


def test_the_seance_command_sets_up_a_fresh_data_dir(tmp_path):
    """The console script, as the README uses it: migrate, demo data twice, tick."""
    env = {**os.environ, "SEANCE_DATA_DIR": str(tmp_path), "SEANCE_DATABASE_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    seance = [sys.executable, "-m", "seance.cli"]

    def run(*args):
        return subprocess.run(  # noqa: S603
            [*seance, *args], env=env, capture_output=True, text=True, timeout=120, check=True
        ).stdout

    run("migrate", "-v0")
    first = run("demo-data")
    second = run("demo-data")
    assert "owner@example.com / demo-owner" in first and first == second
    assert "0 failed" in run("tick")
    assert (tmp_path / "seance.sqlite3").exists() and (tmp_path / ".secret_key").exists()


def test_seance_serve_answers_on_its_port(tmp_path):
    """The README's demo command, for real: migrate, demo data, gunicorn, static files."""
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "SEANCE_DATA_DIR": str(tmp_path), "SEANCE_DATABASE_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "seance.cli",
            "serve",
            "--demo",
            "--no-tick",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        import time

        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as r:
                    page = r.read().decode()
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "seance serve did not answer"
                time.sleep(0.5)
        assert "Log in" in page
        css = page.split('href="/static/')[1].split('"')[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/{css}") as r:
            assert r.status == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
