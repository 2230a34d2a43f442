"""``seance demo-data``: a studio to look around in. Safe to run again: it adds what is missing."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from seance.catalog import services as catalog
from seance.catalog.models import PriceProfile, ProductKind
from seance.comms.defaults import install_defaults
from seance.core import services as core
from seance.core.links import absolute
from seance.core.models import Membership, Organizer, Role, User
from seance.photos import codes
from seance.photos import services as photos
from seance.photos.models import AccessCode, Segment, Session, SessionStatus, Sponsor
from seance.photos.roster import Pupil
from seance.photos.samples import camera_jpeg

ORGANIZER_SLUG = "studio-lumiere"
DEMO_CLASSES = {
    "CP-A": [
        ("Léa", "Martin"),
        ("Hugo", "Bernard"),
        ("Chloé", "Dubois"),
        ("Louis", "Thomas"),
        ("Inès", "Robert"),
        ("Gabriel", "Richard"),
    ],
    "CP-B": [
        ("Jade", "Petit"),
        ("Raphaël", "Durand"),
        ("Louise", "Leroy"),
        ("Arthur", "Moreau"),
        ("Emma", "Simon"),
        ("Nathan", "Laurent"),
    ],
}
OWNER = ("owner@example.com", "demo-owner", "Camille", "Martin")
ASSISTANT = ("assistant@example.com", "demo-assistant", "Léo", "Bernard")


class Command(BaseCommand):
    help = "Load the demo organizer, its team, sponsors, segments, price profile and sessions."

    def handle(self, *args, **options):
        with transaction.atomic():
            organizer, owner = self._organizer()
            self._assistant(organizer, owner)
            profile = self._price_profile(organizer, owner)
            sponsors = self._sponsors(organizer, owner)
            segments = self._segments(organizer, owner)
            self._sessions(organizer, owner, profile, sponsors, segments)
        self.stdout.write(self.style.SUCCESS("Demo data ready for “Studio Lumière”. Log in with:"))
        for email, password, *_ in (OWNER, ASSISTANT):
            role = "owner" if email == OWNER[0] else "assistant"
            self.stdout.write(f"  {role:<10} {email} / {password}")
        gallery = (
            AccessCode.objects.filter(organizer=organizer, session__reference="DEMO-COLLEGE-6E")
            .order_by("pk")
            .first()
        )
        if gallery is not None:
            link = absolute(reverse("shop:open_code", kwargs={"code": gallery.code}))
            self.stdout.write(f"A family's gallery, as its card's QR opens it: {link}")

    def _user(self, email, password, first, last) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=password, first_name=first, last_name=last
            )
        return user

    def _organizer(self):
        owner = self._user(*OWNER)
        organizer = Organizer.objects.filter(slug=ORGANIZER_SLUG).first()
        if organizer is None:
            organizer = core.create_organizer(
                name="Studio Lumière",
                slug=ORGANIZER_SLUG,
                owner=owner,
                currency="EUR",
                timezone="Europe/Paris",
                languages=["fr", "en"],
            )
            organizer.bank_transfer_details = (
                "Studio Lumière\nIBAN FR76 3000 6000 0112 3456 7890 189\nBIC AGRIFRPP"
            )
            organizer.pickup_allowed = True
            organizer.save(update_fields=["bank_transfer_details", "pickup_allowed"])
        return organizer, owner

    def _assistant(self, organizer, owner):
        assistant = self._user(*ASSISTANT)
        if not Membership.objects.filter(organizer=organizer, user=assistant).exists():
            core.add_team_member(
                organizer, user=owner, email=assistant.email, role=Role.ASSISTANT, notify=False
            )

    def _price_profile(self, organizer, owner) -> PriceProfile:
        profile = PriceProfile.objects.for_organizer(organizer).filter(name="Écoles 2026").first()
        if profile is not None:
            return profile
        profile = catalog.create_price_profile(organizer, user=owner, name="Écoles 2026")
        prints = [
            ("Tirage 13 × 18", "6.00", "13", "18"),
            ("Tirage 18 × 24", "12.00", "18", "24"),
            ("Tirage 20 × 30", "18.00", "20", "30"),
        ]
        made = {}
        for name, price, width, height in prints:
            made[name] = catalog.add_product(
                profile,
                user=owner,
                kind=ProductKind.PRINT,
                name=name,
                price=Decimal(price),
                width_cm=Decimal(width),
                height_cm=Decimal(height),
            )
        digital = catalog.add_product(
            profile,
            user=owner,
            kind=ProductKind.DIGITAL,
            name="Fichier numérique HD",
            price=Decimal("9.00"),
        )
        package = catalog.add_product(
            profile,
            user=owner,
            kind=ProductKind.PACKAGE,
            name="Pack famille",
            price=Decimal("24.00"),
        )
        catalog.set_package_items(
            package,
            user=owner,
            items=[(made["Tirage 13 × 18"], 2), (made["Tirage 18 × 24"], 1), (digital, 1)],
        )
        return profile

    def _sponsors(self, organizer, owner) -> dict[str, Sponsor]:
        wanted = {
            "École Jules Ferry": {
                "contact_name": "Mme Durand",
                "contact_email": "direction@ecole-jules-ferry.example",
                "address": "12 rue des Écoles\n69003 Lyon",
                "may_see_sales": True,
            },
            "Collège Jean Moulin": {"contact_name": "M. Petit"},
        }
        sponsors = {}
        for name, fields in wanted.items():
            sponsor = Sponsor.objects.for_organizer(organizer).filter(name=name).first()
            sponsors[name] = sponsor or photos.create_sponsor(
                organizer, user=owner, name=name, **fields
            )
        return sponsors

    def _segments(self, organizer, owner) -> dict[str, Segment]:
        segments = {}
        for name in ("École primaire", "Collège", "Bal de promo"):
            segment = Segment.objects.for_organizer(organizer).filter(name=name).first()
            segments[name] = segment or photos.create_segment(organizer, user=owner, name=name)
        return segments

    def _sessions(self, organizer, owner, profile, sponsors, segments):
        today = timezone.localdate()
        common = {
            "price_profile": profile,
            "watermark_kind": "text",
            "watermark_text": "Studio Lumière",
        }
        plan = [
            # reference, name, segment, sponsor, shooting date, status, settings
            (
                "DEMO-PRIMARY",
                "École Jules Ferry — portraits individuels",
                "École primaire",
                "École Jules Ferry",
                today + dt.timedelta(days=14),
                SessionStatus.PLANNED,
                {
                    "expected_subjects": 180,
                    "access_type": "individual",
                    "registration": "optional",
                    "discount_kind": "percent",
                    "discount_value": Decimal("15"),
                    "discount_until": today + dt.timedelta(days=35),
                    "archive_on": today + dt.timedelta(days=90),
                },
            ),
            (
                "DEMO-COLLEGE-6E",
                "Collège Jean Moulin — 6e",
                "Collège",
                "Collège Jean Moulin",
                today - dt.timedelta(days=10),
                SessionStatus.ON_SALE,
                {
                    "expected_subjects": 120,
                    "access_type": "individual",
                    "registration": "mandatory",
                    "discount_kind": "percent",
                    "discount_value": Decimal("10"),
                    "discount_until": today + dt.timedelta(days=10),
                    "archive_on": today + dt.timedelta(days=60),
                },
            ),
            (
                "DEMO-PROM-2025",
                "Bal de promo 2025",
                "Bal de promo",
                "Collège Jean Moulin",
                today - dt.timedelta(days=200),
                SessionStatus.ARCHIVED,
                {"expected_subjects": 90, "access_type": "shared", "registration": "off"},
            ),
        ]
        for reference, name, segment, sponsor, date, status, options in plan:
            if Session.objects.for_organizer(organizer).filter(reference=reference).exists():
                continue
            session = photos.create_session(
                organizer,
                user=owner,
                reference=reference,
                name=name,
                segment=segments[segment],
                sponsor=sponsors[sponsor],
                shooting_date=max(date, today),
                **common,
                **options,
            )
            if status != SessionStatus.PLANNED:
                photos.change_session_status(session, SessionStatus.ON_SALE, user=owner)
                # A shoot that happened: recorded with its real (past) date once on sale.
                photos.update_session(session, user=owner, shooting_date=date)
            if status == SessionStatus.ARCHIVED:
                photos.change_session_status(session, SessionStatus.ARCHIVED, user=owner)
        self._cards(organizer, owner)
        self._shoot(organizer, owner)

    def _cards(self, organizer, owner):
        """DEMO-PRIMARY's QR cards, made from a names list as a school would send it."""
        session = Session.objects.for_organizer(organizer).get(reference="DEMO-PRIMARY")
        if session.cards.exists():
            return
        pupils = [
            Pupil(first, last, klass)
            for klass, names in DEMO_CLASSES.items()
            for first, last in names
        ]
        photos.add_cards(session, user=owner, pupils=pupils)

    def _shoot(self, organizer, owner):
        """DEMO-COLLEGE-6E's shoot: four pupils, each after their card, and the class photo,
        sorted and on sale, so the shop can be tried from a card's code."""
        session = Session.objects.for_organizer(organizer).get(reference="DEMO-COLLEGE-6E")
        if session.photos.exists():
            return
        cards = photos.add_cards(
            session,
            user=owner,
            pupils=[
                Pupil("Inès", "Moreau", "6e B"),
                Pupil("Lucas", "Garnier", "6e B"),
                Pupil("Chloé", "Faure", "6e B"),
                Pupil("Nathan", "Roux", "6e B"),
            ],
        )
        album = photos.get_or_create_album(session, "6e B")
        taken = dt.datetime(2026, 9, 15, 9, 0)
        order = 0
        for card in cards:
            shots = [
                codes.card_payload(settings.SEANCE_SITE_URL, card.access_code.code),
                None,
                None,
            ]
            for qr in shots:
                photos.ingest_photo(
                    session,
                    album=album,
                    filename=f"DSC_{order:04d}.JPG",
                    import_order=order,
                    data=camera_jpeg(qr=qr, seed=order, taken_at=taken),
                )
                order += 1
                taken += dt.timedelta(seconds=40)
        photos.activate_access_codes(session, user=owner)
        group = photos.ingest_photo(
            session, album=album, filename="CLASSE_6B.JPG", data=camera_jpeg(seed=999)
        ).photo
        photos.mark_group_photos(session, user=owner, photos=[group])
        self._families(organizer, owner, session, cards)

    def _families(self, organizer, owner, session, cards):
        """The communication plan of DEMO-COLLEGE-6E and three families registered in its
        galleries: a first `seance tick` sends them "photos online" (to the console)."""
        plan = install_defaults(organizer, user=owner)
        photos.update_session(session, user=owner, plan=plan)
        agreement = photos.current_agreement(organizer, "fr")
        families = [
            ("Claire Moreau", "claire.moreau@example.fr", "fr", True),
            ("Paul Garnier", "paul.garnier@example.fr", "fr", False),
            ("Emma Faure", "emma.faure@example.com", "en", True),
        ]
        for card, (name, email, language, reminders) in zip(cards, families, strict=False):
            photos.register_visitor(
                card.access_code.gallery,
                name=name,
                email=email,
                consent=True,
                agreement=agreement,
                language=language,
                reminders=reminders,
            )
