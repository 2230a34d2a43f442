"""QR cards of a session (Q1, Q2, Q7): add, import a names list, print, void, export."""

import re

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seance.backoffice.forms import AddCardsForm, AgreementForm, NamesListForm, PrintCardsForm
from seance.backoffice.views.base import apply_errors, limit_body, staff_view
from seance.core import permissions as perms
from seance.core.exports import csv_response
from seance.photos import printing, queries, roster, services
from seance.photos.models import AccessCodeStatus, PreRegistration, QrCard, Session
from seance.photos.services import CardError


def _session(request, pk) -> Session:
    return get_object_or_404(Session.objects.for_organizer(request.organizer), pk=pk)


@staff_view(perms.MANAGE_PHOTOS)
def card_list(request, session):
    session = _session(request, session)
    counts = queries.card_counts(session)
    missing = max(0, session.expected_subjects - counts["active"])
    return render(
        request,
        "backoffice/cards/list.html",
        {
            "session": session,
            "cards": queries.cards_of(session),
            "counts": counts,
            "add_form": AddCardsForm(initial={"count": missing or 10}),
            "names_form": NamesListForm(),
            "print_form": PrintCardsForm(initial={"per_page": request.organizer.cards_per_page}),
        },
    )


@staff_view(perms.MANAGE_PHOTOS)
@require_POST
def cards_add(request, session):
    session = _session(request, session)
    form = AddCardsForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["count"]))
    else:
        try:
            made = services.add_cards(session, user=request.user, count=form.cleaned_data["count"])
        except CardError as e:
            messages.error(request, e.message)
        else:
            messages.success(
                request,
                _("Cards %(first)s to %(last)s added: print them with “Not printed yet”.")
                % {"first": made[0].number, "last": made[-1].number},
            )
    return redirect("backoffice:card_list", session=session.pk)


@staff_view(perms.MANAGE_PHOTOS)
@require_POST
@limit_body(roster.MAX_BYTES + 64 * 1024)
def cards_import(request, session):
    """Q1 names list: one card per pupil, or nothing and the list of what to fix."""
    session = _session(request, session)
    form = NamesListForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV or XLSX file."))
        return redirect("backoffice:card_list", session=session.pk)
    upload = form.cleaned_data["names_list"]
    try:
        made = services.import_roster(
            session, user=request.user, data=upload.read(), filename=upload.name
        )
    except CardError as e:
        messages.error(request, _("Nothing was imported. %(problems)s") % {"problems": e.message})
    else:
        messages.success(
            request,
            _("%(n)s cards made from the names list (%(first)s to %(last)s).")
            % {"n": len(made), "first": made[0].number, "last": made[-1].number},
        )
    return redirect("backoffice:card_list", session=session.pk)


def _parse_numbers(text: str) -> set[int]:
    """``"3, 7-9"`` → {3, 7, 8, 9}."""
    numbers: set[int] = set()
    for part in re.split(r"[,\s;]+", text.strip()):
        if not part:
            continue
        first, _sep, last = part.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise ValueError(part)
        low, high = int(first), int(last or first)
        if high < low or high - low > 5000:
            raise ValueError(part)
        numbers.update(range(low, high + 1))
    return numbers


@staff_view(perms.MANAGE_PHOTOS)
@require_POST
def cards_pdf(request, session):
    """Q1: the cards as an A4 PDF; what it contains is remembered as printed (Q7).

    A POST, because it changes what "not printed yet" means: a link preview or a crawler
    must not mark cards as printed.
    """
    session = _session(request, session)
    form = PrintCardsForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("backoffice:card_list", session=session.pk)
    cards = queries.cards_of(session).filter(access_code__status=AccessCodeStatus.ACTIVE)
    which = form.cleaned_data["which"]
    if which == "unprinted":
        cards = cards.filter(printed_at__isnull=True)
    elif which == "numbers":
        try:
            cards = cards.filter(number__in=_parse_numbers(form.cleaned_data["numbers"]))
        except ValueError as e:
            messages.error(request, _("“%s” is not a card number or a range.") % e)
            return redirect("backoffice:card_list", session=session.pk)
    cards = list(cards)
    if not cards:
        messages.error(request, _("No card to print with this choice."))
        return redirect("backoffice:card_list", session=session.pk)
    try:
        pdf = printing.render_session_cards(session, cards, per_page=form.cleaned_data["per_page"])
    except ValueError as e:  # a text too long for the card, say so rather than fail
        messages.error(request, _("The cards cannot be laid out: %s") % e)
        return redirect("backoffice:card_list", session=session.pk)
    services.mark_printed(cards)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(session.reference) or "session"
    response["Content-Disposition"] = f'attachment; filename="cards-{name}.pdf"'
    return response


@staff_view(perms.MANAGE_PHOTOS)
@require_POST
def card_void(request, session, card):
    """Q7: a lost card stops working; its replacement is ready to print."""
    session = _session(request, session)
    card = get_object_or_404(QrCard.objects.filter(session=session), pk=card)
    try:
        replacement = services.void_card(card, user=request.user)
    except CardError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("Card %(old)s is void; card %(new)s replaces it and is ready to print.")
            % {"old": card.number, "new": replacement.number},
        )
    return redirect("backoffice:card_list", session=session.pk)


@staff_view(perms.EXPORT)
def registrations_export(request, session):
    """Q2: who pre-registered which card, as a spreadsheet."""
    session = _session(request, session)
    rows = (
        PreRegistration.objects.filter(
            card__session=session, card__access_code__status=AccessCodeStatus.ACTIVE
        )
        .select_related("card", "agreement")
        .order_by("card__number")
    )
    header = [
        _("Card"),
        _("Child's first name"),
        _("Child's last name"),
        _("Class"),
        _("Email"),
        _("Phone"),
        _("Agreement version"),
        _("Consent given"),
    ]
    data = (
        [
            r.card.number,
            r.child_first_name,
            r.child_last_name,
            r.class_name,
            r.email,
            r.phone,
            f"{r.agreement.language} v{r.agreement.version}",
            r.consented_at.isoformat(),
        ]
        for r in rows.iterator(chunk_size=500)
    )
    name = slugify(session.reference) or "session"
    return csv_response(f"pre-registrations-{name}.csv", header, data)


@staff_view(perms.MANAGE_ORGANIZER)
def agreement_edit(request):
    """The agreement printed on cards and accepted online, per language; versioned."""
    language = (
        request.GET.get("language")
        or request.POST.get("language")
        or (request.organizer.default_language)
    )
    if language not in dict(AgreementForm.base_fields["language"].choices):
        language = request.organizer.default_language
    current = services.current_agreement(request.organizer, language)
    form = AgreementForm(request.POST or None, initial={"language": language, "text": current.text})
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.update_agreement(
                request.organizer,
                user=request.user,
                language=language,
                text=form.cleaned_data["text"],
            )
        except CardError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Agreement saved as version %s.") % saved.version)
            return redirect(f"{request.path}?language={language}")
    return render(
        request,
        "backoffice/agreement.html",
        {"form": form, "current": current, "language": language},
    )
