"""``seance sort SESSION_REF [--json] [--activate]`` (P14)."""

import json

from django.core.management.base import BaseCommand

from seance.photos import services
from seance.photos.management.commands.cards import find_session
from seance.photos.models import Gallery, Photo


class Command(BaseCommand):
    help = (
        "Show how a session's photos sort into galleries (proposed, or active once activated) "
        "and the anomalies to review; --activate turns the proposal into galleries."
    )

    def add_arguments(self, parser):
        parser.add_argument("reference", help="The session reference.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")
        parser.add_argument("--activate", action="store_true", help="Activate access codes.")
        parser.add_argument("--organizer", help="The organizer's short name, if needed.")

    def handle(self, *args, **options):
        session = find_session(options["reference"], options["organizer"])
        if options["activate"]:
            done = services.activate_access_codes(session, user=None)
            if not options["json"]:
                self.stdout.write(
                    f"{len(done.created)} galleries created, {len(done.extended)} extended, "
                    f"{done.photos_placed} photos placed."
                )
        proposal = services.sort_session(session)
        photos = Photo.objects.filter(session=session).select_related("gallery__access_code")
        names = {str(p.pk): p.original_name for p in photos}
        active = set(
            Gallery.objects.filter(session=session).values_list("access_code__code", flat=True)
        )
        placed = {}  # what families of active galleries really see
        for photo in sorted(photos, key=lambda p: (p.taken_at is None, p.taken_at, p.import_order)):
            if photo.gallery_id:
                placed.setdefault(photo.gallery.access_code.code, []).append(photo.original_name)
        galleries = []
        for proposed in proposal.galleries:
            is_active = proposed.code in active
            galleries.append(
                {
                    "code": proposed.code,
                    "album": proposed.album,
                    "active": is_active,
                    "cards": [names[k] for k in proposed.card_keys],
                    "photos": placed.get(proposed.code, [])
                    if is_active
                    else [names[k] for k in proposed.photos],
                }
            )
        # Galleries made by hand or for a shared code are active but not proposed by cards.
        proposed_codes = {g["code"] for g in galleries}
        for gallery in Gallery.objects.filter(session=session).select_related("access_code"):
            if gallery.access_code.code not in proposed_codes:
                galleries.append(
                    {
                        "code": gallery.access_code.code,
                        "album": gallery.album.name if gallery.album_id else "",
                        "active": True,
                        "cards": [],
                        "photos": [
                            p.original_name
                            for p in gallery.photos.order_by("taken_at", "import_order")
                        ],
                    }
                )
        result = {
            "galleries": galleries,
            "anomalies": [
                {
                    "kind": a.kind,
                    "photos": [names[k] for k in a.photos],
                    "detail": a.detail,
                    "code": a.code,
                }
                for a in proposal.anomalies
            ],
            "unsorted": [names[k] for k in proposal.unsorted],
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
            return
        for a in result["anomalies"]:
            self.stdout.write(f"! {a['kind']}: {a['detail']} ({', '.join(a['photos'][:5])})")
        for g in galleries:
            state = "active" if g["active"] else "proposed"
            self.stdout.write(f"{g['code']} [{state}] {g['album']}: {len(g['photos'])} photos")
        self.stdout.write(f"{len(result['unsorted'])} photos unsorted.")
