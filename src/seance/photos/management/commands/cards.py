"""``seance cards SESSION_REF [--count N | --roster FILE] -o cards.pdf`` (Q1)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from seance.photos import printing, queries, services
from seance.photos.models import AccessCodeStatus, Session


def find_session(reference: str, organizer: str | None = None) -> Session:
    """The session a command line names, by reference (and organizer when ambiguous)."""
    sessions = Session.objects.filter(reference__iexact=reference).select_related("organizer")
    if organizer:
        sessions = sessions.filter(organizer__slug=organizer)
    found = list(sessions[:2])
    if not found:
        raise CommandError(f"No session with the reference {reference!r}.")
    if len(found) > 1:
        raise CommandError(
            f"Several organizers use {reference!r}: add --organizer with their short name."
        )
    return found[0]


class Command(BaseCommand):
    help = (
        "Write a session's QR cards as an A4 PDF. With --count, add that many blank cards "
        "first; with --roster, one card per pupil of a names list (CSV or XLSX). Without "
        "either, every active card of the session (all of them are made if there are none: "
        "one per expected subject)."
    )

    def add_arguments(self, parser):
        parser.add_argument("reference", help="The session reference, e.g. DEMO-PRIMARY.")
        parser.add_argument("-o", "--output", required=True, help="Where to write the PDF.")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--count", type=int, help="Add this many blank cards and print them.")
        group.add_argument("--roster", help="Add one card per pupil of this names list.")
        parser.add_argument("--per-page", type=int, choices=[2, 4], help="Cards per A4 sheet.")
        parser.add_argument(
            "--organizer", help="The organizer's short name, if several use the reference."
        )

    def handle(self, *args, **options):
        session = find_session(options["reference"], options["organizer"])
        try:
            if options["count"] is not None:
                cards = services.add_cards(session, user=None, count=options["count"])
            elif options["roster"]:
                path = Path(options["roster"])
                if not path.is_file():
                    raise CommandError(f"No such file: {path}")
                cards = services.import_roster(
                    session, user=None, data=path.read_bytes(), filename=path.name
                )
            else:
                cards = list(
                    queries.cards_of(session).filter(access_code__status=AccessCodeStatus.ACTIVE)
                )
                if not cards:
                    cards = services.add_cards(
                        session, user=None, count=max(1, session.expected_subjects)
                    )
        except services.CardError as e:
            raise CommandError(e.message) from e
        cards = list(queries.cards_of(session).filter(pk__in=[c.pk for c in cards]))
        per_page = options["per_page"] or session.organizer.cards_per_page
        try:
            pdf = printing.render_session_cards(session, cards, per_page=per_page)
        except ValueError as e:
            raise CommandError(f"The cards cannot be laid out: {e}") from e
        Path(options["output"]).write_bytes(pdf)
        services.mark_printed(cards)
        self.stdout.write(
            f"{len(cards)} cards ({cards[0].number}–{cards[-1].number}) of {session.reference} "
            f"written to {options['output']}"
        )
