"""Orders-panel benchmark (issue 6, "Performance"): the back-office order list and the CSV
export on 100,000 seeded orders, against bare SQL over the same rows, in one process.

    cd /work/main && .venv/bin/python bench/orders.py [--orders N] [--runs R] [--csv-runs C]
    SEANCE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/seance_bench \
        .venv/bin/python bench/orders.py

The database: a throw-away SQLite file by default. With ``SEANCE_DATABASE_URL`` set, the bench
never touches the database the URL names: it creates ``test_<name>`` next to it with Django's
test-database machinery and drops it at the end.

The seed (``bulk_create`` in batches, not the services, so that 100,000 orders take seconds):
one organizer with its owner, a price profile and a few sessions made through the services,
then orders spread over 12 months, ~1.5 lines each, payments (~70 % confirmed, ~20 % pending
bank transfers, ~10 % none), the outbox rows the services would have queued, and weekly lab
exports of the printed orders.

Each case is timed against a baseline that does the least work the case needs:

- the list (``GET /backoffice/orders/`` through Django's test Client, logged in as the owner,
  with and without filters, and a deep page) against a raw ``cursor.execute`` of the page's
  50 rows: ``SELECT … FROM commerce_order WHERE organizer_id=? ORDER BY created_at DESC, id
  DESC LIMIT 50`` (with the same OFFSET for the deep page);
- the CSV export of every order (``POST /backoffice/orders/export.csv``, consuming its
  ``streaming_content``) against one raw query for the same rows written by ``csv.writer``.

It prints the median time, the ratio to the baseline, the queries each request makes (and
the slowest of them), and the EXPLAIN of the list's main query and of the slowest ones.
Nothing is asserted: this is a benchmark, not a test. See bench/README.md.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import csv
import datetime as dt
import importlib.metadata
import io
import json
import logging
import os
import platform
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seance.settings")
if "SEANCE_DATA_DIR" not in os.environ:
    os.environ["SEANCE_DATA_DIR"] = tempfile.mkdtemp(prefix="seance-bench-data-")
    atexit.register(shutil.rmtree, os.environ["SEANCE_DATA_DIR"], ignore_errors=True)

PER_PAGE = 50  # backoffice.views.base.paginate
SOURCE = str(ROOT / "src" / "seance") + os.sep


def configure() -> None:
    """The real settings, with what a request from the test Client needs: its host name,
    static files without a collectstatic manifest, email kept in memory, a fast hasher."""
    import django
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STATIC_ROOT.mkdir(exist_ok=True)
    django.setup()
    # A query the timeout aborts is reported by the bench, not logged with its traceback.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)


# --- the database --------------------------------------------------------------------------


def prepare_database() -> tuple[str, Callable[[], None]]:
    """Migrate a fresh database; return its description and how to drop it."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        path = connection.settings_dict["NAME"]
        return f"SQLite {connection.Database.sqlite_version} (file {path})", lambda: None
    old_name = connection.settings_dict["NAME"]
    # Django's test-database machinery: test_<name>, migrated, never the named database.
    with contextlib.redirect_stdout(io.StringIO()):  # "Cache table … already exists"
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]

    def drop():
        connection.creation.destroy_test_db(old_name, verbosity=0)

    return f"{version} (database {name}, dropped at the end)", drop


@contextlib.contextmanager
def given_created_at(*models):
    """Let bulk_create write the ``created_at`` we chose instead of now (auto_now_add)."""
    fields = [m._meta.get_field("created_at") for m in models]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in fields:
            f.auto_now_add = True


@contextlib.contextmanager
def query_timeout(seconds: float):
    """Abort any one query that runs longer than ``seconds`` (a case then reports a timeout
    instead of hanging the bench)."""
    from django.db import connection

    connection.ensure_connection()
    if connection.vendor == "sqlite":
        raw = connection.connection
        state = {"deadline": 0.0}

        def check():  # called by SQLite every N virtual-machine steps
            return 1 if time.perf_counter() > state["deadline"] else 0

        original = connection.execute_wrapper

        def per_query(execute, sql, params, many, context):
            state["deadline"] = time.perf_counter() + seconds
            return execute(sql, params, many, context)

        raw.set_progress_handler(check, 20_000)
        with original(per_query):
            try:
                yield
            finally:
                raw.set_progress_handler(None, 0)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(seconds * 1000)}")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
    else:
        yield


# --- the seed ------------------------------------------------------------------------------

FIRST_NAMES = (  # noqa: SIM905 (a list literal of 60 names is less readable)
    "Léa Emma Chloé Manon Camille Inès Jade Louise Zoé Alice Lina Rose Anna Mila Ambre Julia "
    "Lucas Hugo Louis Gabriel Arthur Jules Adam Raphaël Nathan Léo Ethan Noah Tom Paul Sacha "
    "Olivia Amelia Isla Ava Grace Oliver George Harry Jack Leo Charlie Sophie Marie Thomas "
    "Nicolas Julien Céline Aurélie Sébastien Hélène Françoise Sandrine Karim Yasmine Mehdi"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefebvre "
    "Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc "
    "Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément Gauthier Dumont Lopez "
    "Fontaine Chevalier Robin Smith Jones Taylor Brown Williams Wilson Nguyen Haddad Benali"
).split()
DOMAINS = ("gmail.com", "orange.fr", "free.fr", "outlook.com", "yahoo.fr", "laposte.net", "sfr.fr")
STREETS = ("rue des Lilas", "avenue Jean Jaurès", "rue Victor Hugo", "place de la Mairie",
           "chemin des Écoliers", "boulevard Pasteur", "rue de la République")  # fmt: skip
TOWNS = ("69003 Lyon", "75011 Paris", "33000 Bordeaux", "44000 Nantes", "31000 Toulouse",
         "59000 Lille", "13006 Marseille", "67000 Strasbourg")  # fmt: skip
SCHOOLS = ("École Jules Ferry", "École Jean Moulin", "Collège Victor Hugo", "École Pasteur",
           "École Marie Curie", "Collège Jean Macé", "École du Parc", "Lycée Saint-Exupéry",
           "École Les Tilleuls", "École Paul Bert")  # fmt: skip
CLASSES = ("PS", "MS", "GS", "CP", "CE1", "CE2", "CM1", "CM2")
BODY = (
    "Hello {name},\n\nThank you for your order {code} at Studio Lumière. {what}\n\n"
    "Order {code}\nTotal: {total} EUR\n\nYou can follow it at any time on your order page:\n"
    "https://photos.example.net/orders/{secret}/\n\nQuestions? Reply to this email, we read "
    "every one of them.\n\nStudio Lumière\n12 rue des Lilas, 69003 Lyon\n"
)
MAIL_WHAT = {
    "order_placed": "We have received it and will prepare it as soon as it is paid.",
    "payment_received": "We have received your payment. Thank you!",
    "files_ready": "Your digital photos are ready: download them from your order page.",
}


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii()).lower()


@dataclass
class Seeded:
    organizer: object
    owner: object
    sessions: list
    orders: int = 0
    lines: int = 0
    payments: int = 0
    messages: int = 0
    lab_rows: int = 0
    seconds: float = 0.0


def seed_setup(sessions: int):
    """The organizer, its owner, a price profile and sessions, made through the services
    (as tests/conftest.py does)."""
    from seance.catalog import services as catalog
    from seance.catalog.models import ProductKind
    from seance.core import services as core
    from seance.core.models import User
    from seance.photos import services as photos

    owner = User.objects.create_user(email="owner@studio.test", password=None, first_name="Owner")
    organizer = core.create_organizer(name="Studio Lumière", slug="lumiere", owner=owner)
    sponsor = photos.create_sponsor(organizer, user=owner, name="École Jules Ferry")
    segment = photos.create_segment(organizer, user=owner, name="Primary school")
    profile = catalog.create_price_profile(organizer, user=owner, name="Schools")
    small = catalog.add_product(
        profile, user=owner, kind=ProductKind.PRINT, name="Print 13 × 18",
        price=Decimal("6.00"), width_cm=Decimal("13"), height_cm=Decimal("18"),
    )  # fmt: skip
    digital = catalog.add_product(
        profile, user=owner, kind=ProductKind.DIGITAL, name="Digital file", price=Decimal("9.00")
    )
    package = catalog.add_product(
        profile, user=owner, kind=ProductKind.PACKAGE, name="Family pack", price=Decimal("15.00")
    )
    catalog.set_package_items(package, user=owner, items=[(small, 2)])
    today = photos.today_for(organizer)  # a planned session is not shot in the past
    made = []
    for i in range(sessions):
        school, klass = SCHOOLS[i % len(SCHOOLS)], CLASSES[i % len(CLASSES)]
        made.append(
            photos.create_session(
                organizer,
                user=owner,
                name=f"{school} — {klass}",
                reference=f"S{i + 1:02d}-{klass}",
                shooting_date=today + dt.timedelta(days=1 + i),
                segment=segment,
                sponsor=sponsor,
                expected_subjects=28,
                price_profile=profile,
                watermark_text="Studio Lumière",
            )
        )
    return owner, organizer, made, {"print": small, "digital": digital, "package": package}


def seed(n_orders: int, n_sessions: int, seed_value: int, log) -> Seeded:
    """``n_orders`` orders with their lines, payments, outbox emails and lab exports, as the
    services would have left them, written with bulk_create in batches of 5,000 orders."""
    from django.db import transaction
    from django.utils import timezone

    from seance.commerce.models import (
        LabExport,
        LabExportOrder,
        Order,
        OrderLine,
        OrderStatus,
        Payment,
        PaymentState,
    )
    from seance.comms.models import Message, MessageState
    from seance.core.codes import ALPHABET

    t0 = time.perf_counter()
    owner, organizer, sessions, products = seed_setup(n_sessions)
    rng = random.Random(seed_value)  # noqa: S311 (reproducible sample data, not secrets)
    now = timezone.now().replace(microsecond=0)
    year = 365 * 24 * 3600
    # Ids grow with created_at, as they do when customers place orders one after the other.
    stamps = sorted(now - dt.timedelta(seconds=rng.uniform(60, year)) for _ in range(n_orders))
    codes: set[str] = set()
    seeded = Seeded(organizer=organizer, owner=owner, sessions=sessions)
    descriptions = {
        "print": products["print"].name,
        "digital": products["digital"].name,
        "package": f"{products['package'].name} (2 photos)",
    }
    exports: dict[tuple[int, int], LabExport] = {}
    batch = 5000
    for start in range(0, n_orders, batch):
        orders, plans = [], []
        for created_at in stamps[start : start + batch]:
            while (code := "".join(rng.choice(ALPHABET) for _ in range(10))) in codes:
                pass
            codes.add(code)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            session = rng.choice(sessions)
            child = f"{rng.choice(FIRST_NAMES)} {last}"
            lines = []
            for _ in range(rng.choices((1, 2, 3), (0.6, 0.3, 0.1))[0]):
                category = rng.choices(("print", "digital", "package"), (0.5, 0.3, 0.2))[0]
                product = products[category]
                quantity = 1
                if category == "print":
                    quantity = rng.choices((1, 2, 3), (0.75, 0.18, 0.07))[0]
                subtotal = product.price * quantity
                lines.append((category, product, quantity, subtotal))
            discounted = rng.random() < 0.15 and len(lines) > 1
            needs_delivery = any(c != "digital" for c, *_ in lines)
            pickup = needs_delivery and rng.random() < 0.3
            r = rng.random()
            paying = "confirmed" if r < 0.7 else "pending" if r < 0.9 else "none"
            if paying == "confirmed":
                status = rng.choices(
                    (OrderStatus.PLACED, OrderStatus.IN_PRODUCTION, OrderStatus.SHIPPED,
                     OrderStatus.COMPLETED), (0.15, 0.15, 0.15, 0.55),
                )[0]  # fmt: skip
                if not needs_delivery:
                    status = OrderStatus.COMPLETED
            else:
                status = OrderStatus.CANCELLED if rng.random() < 0.2 else OrderStatus.PLACED
            line_rows = []
            for i, (category, product, quantity, subtotal) in enumerate(lines):
                discount = (subtotal * Decimal("0.10")).quantize(Decimal("0.01")) if (
                    discounted and i > 0
                ) else Decimal("0.00")  # fmt: skip
                digest = f"{rng.getrandbits(256):064x}"
                line_rows.append(
                    dict(
                        kind="photo",
                        item=f"{code[:8]}:{digest}:{product.pk}",
                        description=descriptions[category],
                        source=f"{child} — {session.name}",
                        group=f"session:{session.pk}",
                        category=category,
                        needs_delivery=category != "digital",
                        delivers_files=category == "digital",
                        quantity=quantity,
                        unit_price=product.price,
                        subtotal=subtotal,
                        discount=discount,
                        total=subtotal - discount,
                    )
                )
            subtotal = sum((row["subtotal"] for row in line_rows), Decimal("0.00"))
            discount = sum((row["discount"] for row in line_rows), Decimal("0.00"))
            address = phone = ""
            if rng.random() < 0.6:
                phone = "06 " + " ".join(str(rng.randint(10, 99)) for _ in range(4))
            email = f"{_ascii(first)}.{_ascii(last)}{rng.randint(1, 99)}@{rng.choice(DOMAINS)}"
            if needs_delivery and not pickup:
                address = (
                    f"{first} {last}\n{rng.randint(1, 120)} {rng.choice(STREETS)}\n"
                    f"{rng.choice(TOWNS)}"
                )
            orders.append(
                Order(
                    organizer=organizer,
                    code=code,
                    status=status,
                    email=email,
                    name=f"{first} {last}",
                    phone=phone,
                    language=rng.choices(("fr", "en"), (0.85, 0.15))[0],
                    delivery_address=address,
                    pickup=pickup,
                    cancel_reason="Customer asked" if status == OrderStatus.CANCELLED else "",
                    subtotal=subtotal,
                    discount=discount,
                    total=subtotal - discount,
                    created_at=created_at,
                )
            )
            plans.append((line_rows, paying))
        with transaction.atomic(), given_created_at(Order, Payment, Message, LabExport):
            Order.objects.bulk_create(orders, batch_size=1000)
            lines, payments, messages, lab_rows = [], [], [], []
            for order, (line_rows, paying) in zip(orders, plans, strict=True):
                lines += [OrderLine(order=order, **row) for row in line_rows]
                created = order.created_at
                mails = ["order_placed"]
                if paying != "none":
                    provider = "stripe"
                    if paying == "pending" or rng.random() < 0.4:
                        provider = "bank_transfer"
                    confirmed = paying == "confirmed"
                    confirmed_at = created + dt.timedelta(hours=rng.uniform(0.01, 96))
                    payments.append(
                        Payment(
                            order=order,
                            provider=provider,
                            amount=order.total,
                            state=PaymentState.CONFIRMED if confirmed else PaymentState.PENDING,
                            reference=f"cs_live_{order.code}" if provider == "stripe" else "",
                            created_at=created,
                            confirmed_at=confirmed_at if confirmed else None,
                        )
                    )
                    if confirmed and order.status != OrderStatus.CANCELLED:
                        mails.append("payment_received")
                        if any(r["delivers_files"] for r in line_rows):
                            mails.append("files_ready")
                        sent_to_lab = order.status in (
                            OrderStatus.IN_PRODUCTION, OrderStatus.SHIPPED, OrderStatus.COMPLETED
                        )  # fmt: skip
                        if sent_to_lab and any(r["needs_delivery"] for r in line_rows):
                            week = created.isocalendar()[:2]
                            if week not in exports:
                                exports[week] = LabExport.objects.create(
                                    organizer=organizer,
                                    number=len(exports) + 1,
                                    created_by=owner,
                                    created_at=created + dt.timedelta(days=3),
                                )
                            lab_rows.append(LabExportOrder(export=exports[week], order=order))
                for template in mails:
                    messages.append(
                        Message(
                            organizer=organizer,
                            key=f"order:{order.code}:{template}",
                            to=order.email,
                            language=order.language,
                            subject=f"Studio Lumière — order {order.code}",
                            body=BODY.format(
                                name=order.name,
                                code=order.code,
                                what=MAIL_WHAT[template],
                                total=order.total,
                                secret=f"{rng.getrandbits(128):032x}",
                            ),
                            state=MessageState.SENT,
                            attempts=1,
                            attempted_at=created,
                            created_at=created,
                            sent_at=created,
                        )
                    )
            OrderLine.objects.bulk_create(lines, batch_size=1000)
            Payment.objects.bulk_create(payments, batch_size=1000)
            Message.objects.bulk_create(messages, batch_size=1000)
            LabExportOrder.objects.bulk_create(lab_rows, batch_size=1000)
        seeded.orders += len(orders)
        seeded.lines += len(lines)
        seeded.payments += len(payments)
        seeded.messages += len(messages)
        seeded.lab_rows += len(lab_rows)
        log(f"\r  seeded {seeded.orders}/{n_orders} orders ({time.perf_counter() - t0:.0f} s)  ")
    log("\n")
    from django.db import connection

    if connection.vendor == "postgresql":
        # Autovacuum would analyze these tables within a minute in production; do it now so
        # that the plans do not depend on when it ran.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seeded.seconds = time.perf_counter() - t0
    return seeded


# --- measuring -----------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    tag: str = ""  # a baseline's letter
    baseline: str = ""  # the letter of the baseline this case is compared with
    ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    queries: list[dict] = field(default_factory=list)  # of the last run (or the failed one)
    error: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.ms) if self.ms else float("nan")


TILE_MARKS = (
    ("files_ready", "files_to_send"),
    ("commerce_labexportorder", "to_lab"),
    ("bank_transfer", "to_confirm"),
)


def _where(frame, sql: str) -> str:
    """The innermost Séance function that ran a query (a view, a query helper…), and for
    the to-do tiles which one; "template" when the template engine ran it."""
    while frame is not None:
        code = frame.f_code
        if code.co_filename.startswith(SOURCE) and not code.co_name.startswith("<"):
            where = f"{code.co_filename[len(SOURCE) :]}:{code.co_name}"
            if code.co_name == "todo_counts":
                where += next((f" ({t})" for mark, t in TILE_MARKS if mark in sql), "")
            return where
        if code.co_filename == __file__ and code.co_name not in ("per_query", "locate"):
            return "bench"  # the tile counts this benchmark runs by itself
        frame = frame.f_back
    return "template"


def _shape(sql: str) -> str:
    """A one-line name for a query: COUNT, EXISTS or SELECT, its table, LIMIT and OFFSET,
    and how many subqueries it holds."""
    depth, main = 0, "?"
    for m in re.finditer(r"[()]|\bFROM\s+\"?(\w+)\"?", sql):
        if m.group(0) == "(":
            depth += 1
        elif m.group(0) == ")":
            depth -= 1
        elif depth == 0:
            main = m.group(1)
            break
    kind = "SELECT"
    if re.match(r"SELECT\s+COUNT\(\*\)", sql):
        kind = "COUNT"
    elif re.match(r"SELECT\s+\(?1\)?\s+AS\s+\"?a\"?", sql):
        kind = "EXISTS"
    tail = re.search(r"\b(LIMIT \d+(?: OFFSET \d+)?)\s*$", sql)
    inner = len(re.findall(r"\bSELECT\b", sql)) - 1
    return (
        f"{kind} {main}"
        + (f" {tail.group(1)}" if tail else "")
        + (f" ({inner} subquer{'y' if inner == 1 else 'ies'})" if inner else "")
    )


def run_case(make, case: Case) -> bool:
    """Time one run of ``make`` with its queries; False when a query failed (timed out)."""
    from django.db import connection
    from django.db.utils import OperationalError
    from django.test.utils import CaptureQueriesContext

    places: list[tuple[str, float]] = []

    def locate(execute, sql, params, many, context):
        # Where the query comes from, and its time to the microsecond (the captured "time"
        # is rounded to the millisecond).
        where = _where(sys._getframe(1), f"{sql} {params!r}")
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            places.append((where, 1000 * (time.perf_counter() - t0)))

    ctx = CaptureQueriesContext(connection)
    failed = None
    try:
        with connection.execute_wrapper(locate), ctx:
            t0 = time.perf_counter()
            make()
            elapsed = 1000 * (time.perf_counter() - t0)
    except OperationalError as e:  # the query timeout, most likely
        failed = e
    case.queries = [
        {"sql": q["sql"], "ms": ms, "where": where}
        for q, (where, ms) in zip(ctx.captured_queries, places, strict=False)
    ]
    if failed is not None:
        last = case.queries[-1] if case.queries else {"ms": 0, "where": "?"}
        case.error = (
            f"{str(failed).strip() or type(failed).__name__} after {last['ms'] / 1000:.0f} s "
            f"in {last['where']}"
        )
        return False
    case.ms.append(elapsed)
    case.sql_ms.append(sum(q["ms"] for q in case.queries))
    return True


def raw_page(organizer_id: int, offset: int) -> int:
    """The least work a page of the list needs: its 50 rows, through a raw cursor."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT "id", "code", "status", "email", "name", "total", "created_at", "pickup" '
            'FROM "commerce_order" WHERE "organizer_id" = %s '
            'ORDER BY "created_at" DESC, "id" DESC LIMIT 50 OFFSET %s',
            [organizer_id, offset],
        )
        return len(cursor.fetchall())


def raw_count(organizer_id: int) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT COUNT(*) FROM "commerce_order" WHERE "organizer_id" = %s', [organizer_id]
        )
        return cursor.fetchone()[0]


RAW_EXPORT_SQL = """
SELECT o.code, o.created_at, o.status, o.name, o.email, o.phone, o.pickup, o.delivery_address,
       l."group", l.source, l.description, l.category, l.quantity, l.unit_price, l.discount,
       l.total, o.total, COALESCE(p.paid, 0)
FROM commerce_order o
JOIN commerce_orderline l ON l.order_id = o.id
LEFT JOIN (SELECT order_id, SUM(amount) AS paid FROM commerce_payment
           WHERE state = 'confirmed' GROUP BY order_id) p ON p.order_id = o.id
WHERE o.organizer_id = %s
ORDER BY o.created_at DESC, o.id DESC, l.id
"""


def raw_export(organizer, references: dict[str, str]) -> tuple[int, int]:
    """The export's cells from one raw query, written by csv.writer in 64 KB chunks (as
    core.exports.csv_rows streams them); returns (rows, bytes)."""
    import zoneinfo

    from django.db import connection

    zone = zoneinfo.ZoneInfo(organizer.timezone)
    labels = {"placed": "New", "in_production": "At the lab", "shipped": "Shipped",
              "completed": "Completed", "cancelled": "Cancelled"}  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    rows = size = 0
    with connection.cursor() as cursor:
        cursor.execute(RAW_EXPORT_SQL, [organizer.pk])
        while chunk := cursor.fetchmany(2000):
            for (code, created, status, name, email, phone, pickup, address, group, source,
                 description, category, quantity, unit_price, discount, line_total, total,
                 paid) in chunk:  # fmt: skip
                if isinstance(created, str):
                    created = dt.datetime.fromisoformat(created)
                if created.tzinfo is None:  # SQLite through a raw cursor: naive UTC
                    created = created.replace(tzinfo=dt.UTC)
                paid, total = Decimal(paid), Decimal(total)
                state = "Awaiting payment"
                if paid > 0:
                    state = "Paid" if paid >= total else "Partly paid"
                writer.writerow([
                    code, created.astimezone(zone).strftime("%Y-%m-%d %H:%M"), labels[status],
                    state, name, email, phone, "Pickup at school" if pickup else address,
                    references.get(group, ""), source, description, category, quantity,
                    unit_price, discount, line_total, total, paid,
                ])  # fmt: skip
                rows += 1
                if buffer.tell() > 64 * 1024:
                    size += len(buffer.getvalue().encode())
                    buffer.seek(0)
                    buffer.truncate()
    size += len(buffer.getvalue().encode())
    return rows, size


def consume(response) -> tuple[int, int]:
    """Read a streamed CSV to its end; returns (rows without the header, bytes). csv.writer
    ends rows with CRLF; a line break inside a cell (an address) is a bare LF."""
    rows = size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(b"\r\n")
    return rows - 1, size


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def tiles_left_out():
    """What-if, in this process only: the list without its three to-do tile counts."""
    from seance.commerce import queries

    original = queries.todo_counts
    queries.todo_counts = lambda organizer: dict.fromkeys(queries.TODOS, 0)
    try:
        yield
    finally:
        queries.todo_counts = original


@dataclass
class Section:
    title: str
    cases: dict[str, Case]
    note: str = ""


def measure(seeded: Seeded, args, log) -> tuple[list[Section], dict]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from seance.commerce import queries
    from seance.photos import selling

    client = Client()
    client.force_login(seeded.owner)
    organizer = seeded.organizer
    base = reverse("backoffice:order_list")
    deep = max(1, (3 * seeded.orders // 4) // PER_PAGE)
    offset = (deep - 1) * PER_PAGE
    surname = LAST_NAMES[7]
    views = {
        "list": base,
        "list ?payment=awaiting&kind=digital": f"{base}?payment=awaiting&kind=digital",
        f"list ?page={deep}": f"{base}?page={deep}",
        "list ?todo=to_confirm": f"{base}?todo=to_confirm",
        f"list ?session=(one of {len(seeded.sessions)})": f"{base}?session={seeded.sessions[0].pk}",
        f"list ?q={surname}": f"{base}?q={surname}",
    }
    raw = {
        "a": (Case("raw SELECT … LIMIT 50", tag="a"), 0),
        "b": (Case(f"raw SELECT … LIMIT 50 OFFSET {offset}", tag="b"), offset),
    }

    def page_cases() -> dict[str, Case]:
        return {
            name: Case(f"GET {name}", baseline="b" if "page=" in name else "a") for name in views
        }

    def get(url):
        def run():
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"GET {url} answered {response.status_code}")

        return run

    def time_pages(cases: dict[str, Case], label: str) -> None:
        for name, case in cases.items():  # warm-up, untimed: templates, session row, caches
            # Every page counts the tiles: when they time out on one, they would on all.
            if not run_case(get(views[name]), case) and "todo_counts" in case.error:
                for other in cases.values():
                    if other is not case and not other.error:
                        other.error = f"not run: the tile counts timed out on “{case.name}”"
                break
        for c in cases.values():
            c.ms.clear()
            c.sql_ms.clear()
        for _case, off in raw.values():
            raw_page(organizer.pk, off)
        for i in range(args.runs):
            names = list(cases)
            shift = i % len(names)
            for off_case, off in raw.values():
                for _ in range(5):  # sub-millisecond: five times as many samples
                    t0 = time.perf_counter()
                    raw_page(organizer.pk, off)
                    off_case.ms.append(1000 * (time.perf_counter() - t0))
            for name in names[shift:] + names[:shift]:
                if not cases[name].error:
                    run_case(get(views[name]), cases[name])
            log(f"\r  {label}: run {i + 1}/{args.runs}  ")
        log("\n")

    sections: list[Section] = []
    info: dict = {"deep_page": deep, "vendor": connection.vendor}
    with query_timeout(args.query_timeout):
        pages = page_cases()
        time_pages(pages, "list pages")
        sections.append(
            Section(
                "The list, GET /backoffice/orders/ logged in as the owner",
                {"a": raw["a"][0], "b": raw["b"][0], **pages},
            )
        )

        tiles = {"c": Case("raw SELECT COUNT(*) … WHERE organizer_id = ?", tag="c")}
        for name in queries.TODOS:
            tiles[name] = Case(f"tile {name}: todo(orders_for(org), …).count()", baseline="c")

        def count(name):
            return lambda: queries.todo(queries.orders_for(organizer), name).count()

        raw_count(organizer.pk)
        for name in queries.TODOS:  # warm-up
            run_case(count(name), tiles[name])
            tiles[name].ms.clear()
            tiles[name].sql_ms.clear()
        for i in range(args.runs):
            for _ in range(5):
                t0 = time.perf_counter()
                raw_count(organizer.pk)
                tiles["c"].ms.append(1000 * (time.perf_counter() - t0))
            for name in queries.TODOS:
                if not tiles[name].error:
                    run_case(count(name), tiles[name])
            log(f"\r  tiles: run {i + 1}/{args.runs}  ")
        log("\n")
        sections.append(Section("The three to-do tiles, counted one by one", tiles))

        with tiles_left_out():
            what_if = page_cases()
            time_pages(what_if, "list pages without the tiles")
        sections.append(
            Section(
                "What-if: the same pages without the tiles (queries.todo_counts returns zeros, "
                "in this process only)",
                what_if,
            )
        )

    # No query timeout for the export: SQLite computes its rows while they are fetched, long
    # after the execute() the timeout counts from, and a slow export is slow, not stuck.
    references = {selling.group_of(s): s.reference for s in seeded.sessions}
    export_url = reverse("backoffice:order_export_csv")
    export = {
        "d": Case("raw cursor + csv.writer", tag="d"),
        "csv": Case("POST export.csv, every order (query=)", baseline="d"),
    }
    info["rss_before_csv_mb"] = peak_rss_mb()
    for i in range(args.csv_runs):
        t0 = time.perf_counter()
        info["raw_rows"], info["raw_bytes"] = raw_export(organizer, references)
        export["d"].ms.append(1000 * (time.perf_counter() - t0))
        info.setdefault("rss_after_raw_mb", peak_rss_mb())  # before any export ran

        def post():
            response = client.post(export_url, {"query": ""})
            info["csv_rows"], info["csv_bytes"] = consume(response)

        if not export["csv"].error:
            run_case(post, export["csv"])
        log(f"\r  CSV export: run {i + 1}/{args.csv_runs}  ")
    log("\n")
    info["rss_after_csv_mb"] = peak_rss_mb()
    sections.append(Section("The CSV export", export))
    return sections, info


def explain(sql: str, *, analyze: bool) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            depth, lines = {0: 0}, []
            for node, parent, _unused, detail in cursor.fetchall():
                depth[node] = depth.get(parent, 0) + 1
                lines.append("  " * (depth[node] - 1) + detail)
            return lines
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN {'(ANALYZE, BUFFERS) ' if analyze else ''}{sql}")
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"EXPLAIN {sql}")
        return [" ".join(str(c) for c in row) for row in cursor.fetchall()]


# --- report --------------------------------------------------------------------------------


def machine() -> str:
    model = platform.processor() or "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem = f", {kb / 2**20:.0f} GB"
    return f"machine: {os.cpu_count()} CPU, {model}{mem}"


def _ms(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.0f}"


def report(args, db: str, seeded: Seeded, sections: list[Section], info: dict, load) -> dict:
    lines: list[str] = []
    out = lines.append
    out(f"Séance orders-panel benchmark — {dt.datetime.now():%Y-%m-%d %H:%M}")
    out(
        f"{machine()}, load average {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    )
    out(f"python {platform.python_version()}, Django {importlib.metadata.version('django')}, {db}")
    out(
        f"seed: {seeded.orders} orders, {seeded.lines} lines, {seeded.payments} payments, "
        f"{seeded.messages} outbox emails, {seeded.lab_rows} orders in lab exports, "
        f"{len(seeded.sessions)} sessions, in {seeded.seconds:.0f} s (seed {args.seed})"
    )
    baselines = {c.tag: c for s in sections for c in s.cases.values() if c.tag}
    header = (
        f"{'':56} {'median ms':>10} {'× baseline':>11} {'queries':>7} {'SQL ms':>7} "
        f"{'slowest q.':>10}"
    )
    for section in sections:
        out("")
        out(section.title)
        out(header)
        out("-" * len(header))
        for case in section.cases.values():
            label = f"({case.tag}) {case.name}" if case.tag else case.name
            if case.error:
                out(f"{label:56} {'—':>10}  {case.error}")
                continue
            ratio = ""
            if case.baseline:
                ratio = f"{case.median / baselines[case.baseline].median:.1f}× ({case.baseline})"
            counts = ""
            if case.queries:
                counts = (
                    f"{len(case.queries):>7} {_ms(statistics.median(case.sql_ms)):>7} "
                    f"{_ms(max(q['ms'] for q in case.queries)):>10}"
                )
            out(f"{label:56} {_ms(case.median):>10} {ratio:>11} {counts}")
    out("")
    out(
        f"Median of {args.runs} runs per page and tile ({5 * args.runs} for the raw baselines "
        f"a–c), {args.csv_runs} for the CSV; ratios are to the baseline named in brackets. "
        "Queries, SQL ms (the sum) and the slowest query come from CaptureQueriesContext; "
        "SQL ms counts execute() only, so rows SQLite computes while they are fetched "
        "(the CSV's) are not in it."
    )
    if "csv_rows" in info:
        out(
            f"CSV: {info['csv_rows']} rows, {info['csv_bytes'] / 1e6:.1f} MB from the export; "
            f"{info['raw_rows']} rows, {info['raw_bytes'] / 1e6:.1f} MB from the baseline. "
            f"Peak RSS of the process: {info['rss_before_csv_mb']:.0f} MB before, "
            f"{info['rss_after_raw_mb']:.0f} MB after the baseline, "
            f"{info['rss_after_csv_mb']:.0f} MB after the export."
        )
    out("")
    out("Queries of each request, slowest first (ms in the last run; where: the Séance code):")
    slowest: dict[str, dict] = {}  # each case's slowest query, by SQL (the first place seen)
    for section in sections:
        for case in section.cases.values():
            if not case.queries:
                continue
            out(f"  {case.name}{'  [FAILED]' if case.error else ''}")
            ranked = sorted(case.queries, key=lambda q: -q["ms"])
            for q in ranked[: args.show_queries]:
                out(f"    {_ms(q['ms']):>9}  {_shape(q['sql']):56} {q['where']}")
            if rest := ranked[args.show_queries :]:
                out(f"    {_ms(sum(q['ms'] for q in rest)):>9}  ({len(rest)} more)")
            top = ranked[0]
            if top["sql"] not in slowest:
                slowest[top["sql"]] = top
            elif slowest[top["sql"]]["ms"] < top["ms"]:
                slowest[top["sql"]] = {**top, "where": slowest[top["sql"]]["where"]}
    out("")
    main = None
    for section in sections:
        for q in section.cases.get("list", Case("")).queries:
            if main is None and _shape(q["sql"]).startswith("SELECT commerce_order LIMIT 50"):
                main = q
    plan_of = [("the list's main query (page 1, no filter)", main)] if main else []
    for q in sorted(slowest.values(), key=lambda q: -q["ms"]):
        if q["ms"] < args.explain_ms or len(plan_of) > args.explain:
            break
        if main is None or q["sql"] != main["sql"]:
            plan_of.append((f"a slow query: {_ms(q['ms'])} ms in {q['where']}", q))
    plans = {}
    for title, q in plan_of:
        timed_out = q["ms"] >= 900 * args.query_timeout
        analyze = info["vendor"] == "postgresql" and not timed_out
        how = "QUERY PLAN " if info["vendor"] == "sqlite" else ""
        if analyze:
            how = "(ANALYZE, BUFFERS) "
        out(f"EXPLAIN {how}of {title}")
        compact = re.sub(r"\s+", " ", q["sql"])
        out(f"  {_shape(q['sql'])}: {compact[:1200]}{' …' if len(compact) > 1200 else ''}")
        try:
            with query_timeout(args.query_timeout):
                plan = explain(q["sql"], analyze=analyze)
        except Exception as e:  # a plan is a diagnostic: report it and go on
            plan = [f"(no plan: {type(e).__name__}: {e})"]
        plans[title] = plan
        lines += [f"    {line}" for line in plan]
        out("")
    print("\n".join(lines))
    return {
        "lines": lines,
        "sections": [
            {
                "title": s.title,
                "cases": {
                    k: {
                        "name": c.name,
                        "baseline": c.baseline,
                        "ms": c.ms,
                        "sql_ms": c.sql_ms,
                        "error": c.error,
                        "queries": c.queries,
                    }
                    for k, c in s.cases.items()
                },
            }
            for s in sections
        ],
        "info": info,
        "plans": plans,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000, help="orders to seed (100000)")
    parser.add_argument("--sessions", type=int, default=20, help="sessions they come from (20)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per page and tile (5)")
    parser.add_argument("--csv-runs", type=int, default=2, help="timed CSV exports (2)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--query-timeout", type=float, default=30, help="abort a query after S seconds (30)"
    )
    parser.add_argument("--show-queries", type=int, default=4, help="queries shown per case (4)")
    parser.add_argument(
        "--explain", type=int, default=6, help="at most N slow queries explained (6)"
    )
    parser.add_argument(
        "--explain-ms",
        type=float,
        default=100,
        help="explain the slowest query of each case when it takes this long (100 ms)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    configure()

    def log(message: str) -> None:
        print(message, end="", file=sys.stderr, flush=True)

    db, drop = prepare_database()
    try:
        log(f"database: {db}\n")
        seeded = seed(args.orders, args.sessions, args.seed, log)
        sections, info = measure(seeded, args, log)
        results = report(args, db, seeded, sections, info, load)
    finally:
        from django.db import connections

        connections.close_all()
        drop()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
