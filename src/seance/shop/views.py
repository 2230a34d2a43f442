"""The family's way in (Q2, Q5, P5): type or scan the card's code, pre-register, be told."""

from django.contrib import messages
from django.core import signing
from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seance.comms.models import Unsubscribe
from seance.core.models import Organizer
from seance.photos import codes, messaging, queries
from seance.photos.models import Agreement, Registration, SessionStatus
from seance.photos.selling import current_discount
from seance.photos.services import (
    CardError,
    ask_to_be_notified,
    current_agreement,
    find_access_code,
    pre_register,
    register_visitor,
)
from seance.shop import ratelimit
from seance.shop.carts import cart_count
from seance.shop.forms import CodeForm, GalleryRegistrationForm, NotifyForm, PreRegistrationForm


def _wrong_code_message() -> str:
    # The same words for a mistyped, unknown, void or foreign code: nothing to learn from it.
    return _(
        "This code opens nothing. Check it on your card (letters and digits, in groups of four)."
    )


def _blocked(request):
    return render(request, "shop/blocked.html", status=429)


def _speak_family_language(request, session) -> None:
    """The visitor's language if the organizer offers it, else the session's."""
    offered = session.organizer.languages or [session.family_language]
    if translation.get_language() not in offered:
        translation.activate(session.family_language)
        request.LANGUAGE_CODE = session.family_language


def _agreement_of(form, organizer) -> Agreement:
    """The agreement version the form says the visitor read; only the organizer's own."""
    agreement = Agreement.objects.filter(
        pk=form.cleaned_data["agreement"], organizer=organizer
    ).first()
    if agreement is None:
        raise CardError(_("Please read the agreement again."), field="consent")
    return agreement


def _show_current_agreement(request, form, organizer) -> Agreement:
    """Redisplaying a consent form: show the text now in force, so the next submit consents
    to it (it may have changed while the visitor was reading)."""
    current = current_agreement(organizer, translation.get_language())
    data = request.POST.copy()
    data["agreement"] = str(current.pk)
    form.data = data
    return current


def enter_code(request):
    """Q5: the shop's code page."""
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if ratelimit.is_blocked(request):
            return _blocked(request)
        if form.is_valid():
            access = find_access_code(form.cleaned_data["code"])
            if access is not None:
                return redirect("shop:open_code", code=access.code)
            ratelimit.count_failure(request)
            form.add_error("code", _wrong_code_message())
    return render(request, "shop/enter_code.html", {"form": form}, status=200)


def _resolve(request, code: str):
    """The active access code in the URL, or a response saying no (rate-limited)."""
    if ratelimit.is_blocked(request):
        return None, _blocked(request)
    access = find_access_code(code)
    if access is None:
        ratelimit.count_failure(request)
        form = CodeForm(initial={"code": code})
        return None, render(
            request,
            "shop/enter_code.html",
            {"form": form, "error": _wrong_code_message()},
            status=404,
        )
    return access, None


def open_code(request, code: str):
    """Q5: the card link. Planned sessions offer pre-registration and the notify-me list."""
    access, refusal = _resolve(request, code)
    if refusal is not None:
        return refusal
    if codes.normalize(code) != code:
        return redirect("shop:open_code", code=access.code)  # one address per code
    session = access.session
    _speak_family_language(request, session)
    card = getattr(access, "card", None)
    registered = card is not None and hasattr(card, "pre_registration")
    context = {
        "access": access,
        "session": session,
        "organizer": session.organizer,
        "card": card,
        "registered": registered,
        "code_display": codes.display(access.code),
        "notify_form": NotifyForm(),
    }
    gallery = getattr(access, "gallery", None)
    if session.status == SessionStatus.ON_SALE and gallery is not None:
        return _gallery(request, access, gallery, context)
    if session.status == SessionStatus.PLANNED and card is not None and not registered:
        agreement = current_agreement(session.organizer, translation.get_language())
        context["agreement"] = agreement
        context["form"] = PreRegistrationForm(
            initial={
                "agreement": agreement.pk,
                "child_first_name": card.first_name,
                "child_last_name": card.last_name,
                "class_name": card.class_name,
                # Not the names list's email: whoever finds a lost card must not learn it.
            }
        )
    return render(request, "shop/code.html", context)


@require_POST
def register(request, code: str):
    """Q2: pre-registration of a card."""
    access, refusal = _resolve(request, code)
    if refusal is not None:
        return refusal
    session = access.session
    _speak_family_language(request, session)
    form = PreRegistrationForm(request.POST)
    if form.is_valid():
        try:
            agreement = _agreement_of(form, session.organizer)
            pre_register(
                access,
                child_first_name=form.cleaned_data["child_first_name"],
                child_last_name=form.cleaned_data["child_last_name"],
                class_name=form.cleaned_data["class_name"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                consent=form.cleaned_data["consent"],
                agreement=agreement,
                language=translation.get_language(),
                reminders=form.cleaned_data["reminders"],
            )
        except CardError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(
                request,
                _("Thank you: %(name)s is registered. We will write when the photos are online.")
                % {"name": form.cleaned_data["child_first_name"]},
            )
            return redirect("shop:open_code", code=access.code)
    current = _show_current_agreement(request, form, session.organizer)
    return render(
        request,
        "shop/code.html",
        {
            "access": access,
            "session": session,
            "organizer": session.organizer,
            "card": getattr(access, "card", None),
            "registered": False,
            "code_display": codes.display(access.code),
            "agreement": current,
            "form": form,
            "notify_form": NotifyForm(),
        },
        status=200,
    )


@require_POST
def notify(request, code: str):
    """P5: leave an address to be told when the photos are online."""
    access, refusal = _resolve(request, code)
    if refusal is not None:
        return refusal
    form = NotifyForm(request.POST)
    if form.is_valid() and access.session.status == SessionStatus.PLANNED:
        ask_to_be_notified(
            access.session, email=form.cleaned_data["email"], language=translation.get_language()
        )
        messages.success(request, _("Noted: we will write to you when the photos are online."))
    elif not form.is_valid():
        messages.error(request, _("Please give a valid email address."))
    return redirect("shop:open_code", code=access.code)


REGISTERED = "seance:registered:{}"


def _needs_registration(request, gallery) -> bool:
    """P5: the form comes first, unless this browser filled it in (or skipped it, when it is
    optional) or the card was pre-registered."""
    session = gallery.session
    if session.registration == Registration.OFF:
        return False
    if request.session.get(REGISTERED.format(gallery.pk)):
        return False
    card = gallery.card
    return not (card is not None and hasattr(card, "pre_registration"))


def _gallery(request, access, gallery, context):
    """The family's gallery: watermarked previews of its photos and of its album's group
    photos; originals are never served here."""
    if _needs_registration(request, gallery):
        agreement = current_agreement(gallery.session.organizer, translation.get_language())
        form = GalleryRegistrationForm(initial={"agreement": agreement.pk})
        return render(
            request,
            "shop/gallery_register.html",
            {**context, "gallery": gallery, "form": form, "agreement": agreement},
        )
    photos = queries.gallery_photos(gallery)
    return render(
        request,
        "shop/gallery.html",
        {
            **context,
            "gallery": gallery,
            "photos": photos,
            "discount": current_discount(gallery.session),
            "cart_count": cart_count(request, gallery.session.organizer),
        },
    )


@require_POST
def gallery_register(request, code: str):
    """P5: the registration form before the photos (or "later", when it is optional)."""
    access, refusal = _resolve(request, code)
    if refusal is not None:
        return refusal
    gallery = getattr(access, "gallery", None)
    if gallery is None or access.session.status != SessionStatus.ON_SALE:
        return redirect("shop:open_code", code=access.code)
    session = access.session
    _speak_family_language(request, session)
    if "skip" in request.POST and session.registration == Registration.OPTIONAL:
        request.session[REGISTERED.format(gallery.pk)] = True
        return redirect("shop:open_code", code=access.code)
    form = GalleryRegistrationForm(request.POST)
    if form.is_valid():
        try:
            register_visitor(
                gallery,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                consent=form.cleaned_data["consent"],
                agreement=_agreement_of(form, session.organizer),
                language=translation.get_language(),
                reminders=form.cleaned_data["reminders"],
            )
        except CardError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            request.session[REGISTERED.format(gallery.pk)] = True
            return redirect("shop:open_code", code=access.code)
    current = _show_current_agreement(request, form, session.organizer)
    return render(
        request,
        "shop/gallery_register.html",
        {
            "access": access,
            "session": session,
            "organizer": session.organizer,
            "gallery": gallery,
            "form": form,
            "agreement": current,
            "code_display": codes.display(access.code),
        },
    )


def gallery_photo(request, code: str, digest: str, kind: str):
    """A watermarked preview or thumbnail, only of a photo this code's gallery shows."""
    access, refusal = _resolve(request, code)
    if refusal is not None:
        return refusal
    gallery = getattr(access, "gallery", None)
    if (
        gallery is None
        or access.session.status != SessionStatus.ON_SALE
        or kind not in ("preview", "thumb")
        or _needs_registration(request, gallery)
    ):
        raise Http404
    photo = queries.gallery_photo(gallery, digest)
    if photo is None:
        raise Http404
    path = photo.preview if kind == "preview" else photo.thumbnail
    response = FileResponse(storages["private"].open(path, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


def unsubscribe(request, token: str):
    """P9: "no more of these messages" from an email's link; a button confirms it (a mail
    scanner opening the link changes nothing)."""
    try:
        data = signing.Signer(salt=messaging.UNSUBSCRIBE_SALT).unsign_object(token)
        organizer = Organizer.objects.get(pk=data["o"])
        address = str(data["a"])
    except (signing.BadSignature, KeyError, TypeError, Organizer.DoesNotExist) as e:
        raise Http404 from e
    done = False
    if request.method == "POST":
        Unsubscribe.objects.get_or_create(organizer=organizer, address=address)
        done = True
    else:
        done = Unsubscribe.objects.filter(organizer=organizer, address=address).exists()
    return render(
        request,
        "shop/unsubscribe.html",
        {"organizer": organizer, "address": address, "done": done},
    )
