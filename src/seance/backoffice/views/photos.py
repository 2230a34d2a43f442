"""Photos of a session: upload into albums (P12), review the QR sorting and activate (P13–P15)."""

import time

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import storages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from seance.backoffice.views.base import limit_body, staff_view
from seance.core import permissions as perms
from seance.photos import codes, queries, services, tasks
from seance.photos.imaging import MAX_PHOTO_BYTES
from seance.photos.models import Album, FtpAccount, Gallery, Photo, Session


def _session(request, pk) -> Session:
    return get_object_or_404(
        Session.objects.for_organizer(request.organizer).select_related("organizer"), pk=pk
    )


@staff_view(perms.MANAGE_PHOTOS)
def photo_home(request, session):
    session = _session(request, session)
    return render(
        request,
        "backoffice/photos/home.html",
        {
            "session": session,
            "albums": queries.albums_of(session),
            "max_mb": MAX_PHOTO_BYTES // 2**20,
        },
    )


@staff_view(perms.MANAGE_PHOTOS)
@require_POST
def album_create(request, session):
    session = _session(request, session)
    name = request.POST.get("name", "").strip()
    if not name:
        messages.error(request, _("Give the album a name, such as the class."))
    else:
        album = services.get_or_create_album(session, name)
        messages.success(request, _("Album “%s” is ready: drop its photos below.") % album.name)
    return redirect("backoffice:photo_home", session=session.pk)


@staff_view(perms.MANAGE_PHOTOS)
@require_POST
@limit_body(MAX_PHOTO_BYTES + 2**20)
def photo_upload(request, session):
    """One file per request, so the page shows each file's progress and retries only what
    failed; sending a file twice is harmless (the import skips what it has)."""
    session = _session(request, session)
    album_id = request.POST.get("album", "")
    album = get_object_or_404(
        Album.objects.filter(session=session), pk=album_id if album_id.isdigit() else 0
    )
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"status": "error", "message": _("No file was sent.")}, status=400)
    if settings.SEANCE_INGEST_IN_BACKGROUND:
        # With workers: keep the file, queue its import, answer at once.
        staged = tasks.stage_upload(upload.read(), upload.name)
        tasks.ingest_staged.delay(session.pk, album.pk, staged, upload.name, time.time_ns() // 1000)
        return JsonResponse({"status": "queued", "name": upload.name, "card": None})
    try:
        result = services.ingest_photo(
            session, album=album, data=upload.read(), filename=upload.name
        )
    except services.ImportProblem as e:
        return JsonResponse(
            {"status": "error", "kind": e.kind, "name": upload.name, "message": e.message},
            status=422,
        )
    photo = result.photo
    return JsonResponse(
        {
            "status": "duplicate" if result.duplicate else "imported",
            "name": photo.original_name,
            "card": codes.display(photo.card_code) if photo.card_code else None,
            "foreign_qr": photo.foreign_qr,
        }
    )


@staff_view(perms.MANAGE_PHOTOS)
def photo_file(request, session, photo, kind):
    """A photo's thumbnail or watermarked preview, for staff of its organizer only."""
    session = _session(request, session)
    photo = get_object_or_404(Photo.objects.filter(session=session), pk=photo)
    path = {"thumb": photo.thumbnail, "preview": photo.preview}.get(kind)
    if path is None:
        raise Http404
    response = FileResponse(storages["private"].open(path, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@staff_view(perms.MANAGE_PHOTOS)
def sorting_review(request, session):
    """P14: the photos in shooting order, cards in green, anomalies first."""
    session = _session(request, session)
    proposal = services.sort_session(session)
    photos = queries.photos_by_key(session)
    active = set(
        Gallery.objects.filter(session=session).values_list("access_code__code", flat=True)
    )
    cards = {c.access_code.code: c for c in session.cards.select_related("access_code")}
    galleries = [
        {
            "code": g.code,
            "display": codes.display(g.code),
            "card": cards.get(g.code),
            "album": g.album,
            "active": g.code in active,
            "card_photos": [photos[k] for k in g.card_keys],
            "photos": [photos[k] for k in g.photos],
        }
        for g in proposal.galleries
    ]
    anomalies = [
        {"kind": a.kind, "detail": a.detail, "photos": [photos[k] for k in a.photos]}
        for a in proposal.anomalies
    ]
    group = [p for p in photos.values() if p.is_group]
    return render(
        request,
        "backoffice/photos/sorting.html",
        {
            "session": session,
            "galleries": galleries,
            "anomalies": anomalies,
            "unsorted": [photos[k] for k in proposal.unsorted],
            "group": group,
            "existing": Gallery.objects.filter(session=session).select_related("access_code"),
            "albums": queries.albums_of(session),
            "photo_count": len(photos),
            "to_place": sum(1 for g in galleries for p in g["photos"] if p.gallery_id is None),
        },
    )


@staff_view(perms.MANAGE_PHOTOS)
@require_POST
def sorting_activate(request, session):
    session = _session(request, session)
    done = services.activate_access_codes(session, user=request.user)
    messages.success(
        request,
        _("Galleries opened: %(created)s · photos placed: %(placed)s.")
        % {"created": len(done.created), "placed": done.photos_placed},
    )
    return redirect("backoffice:sorting_review", session=session.pk)


def _chosen(request, session) -> list[Photo]:
    ids = [i for i in request.POST.getlist("photo") if i.isdigit()]
    return list(Photo.objects.filter(session=session, pk__in=ids))


@staff_view(perms.MANAGE_PHOTOS)
@require_POST
def sorting_fix(request, session):
    """P13, P15, P4: move the chosen photos, mark them as group photos, or give them a gallery."""
    session = _session(request, session)
    photos = _chosen(request, session)
    action = request.POST.get("action")
    if not photos:
        messages.error(request, _("Tick the photos first."))
        return redirect("backoffice:sorting_review", session=session.pk)
    try:
        if action == "group":
            services.mark_group_photos(session, user=request.user, photos=photos)
        elif action == "ungroup":
            services.mark_group_photos(session, user=request.user, photos=photos, is_group=False)
        elif action == "move":
            target = request.POST.get("gallery", "")
            gallery = None
            if target:
                gallery = get_object_or_404(
                    Gallery.objects.filter(session=session), pk=target if target.isdigit() else 0
                )
            services.move_photos(session, user=request.user, photos=photos, gallery=gallery)
        elif action == "album":
            album = get_object_or_404(
                Album.objects.filter(session=session),
                pk=request.POST.get("album", "") if request.POST.get("album", "").isdigit() else 0,
            )
            services.move_to_album(session, user=request.user, photos=photos, album=album)
        elif action == "new_gallery":
            services.create_gallery_by_hand(
                session, user=request.user, photos=photos, name=request.POST.get("name", "")
            )
        else:
            raise Http404
    except services.CardError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            ngettext("%(n)s photo updated.", "%(n)s photos updated.", len(photos))
            % {"n": len(photos)},
        )
    return redirect("backoffice:sorting_review", session=session.pk)


@staff_view(perms.MANAGE_PHOTOS)
def ftp_account(request):
    """P11: the organizer's FTP login; a new password is shown once, when it is made."""
    account = FtpAccount.objects.filter(organizer=request.organizer).first()
    password = None
    if request.method == "POST":
        account, password = services.reset_ftp_password(request.organizer, user=request.user)
    return render(
        request,
        "backoffice/photos/ftp.html",
        {
            "account": account,
            "password": password,
            "host": request.get_host().split(":")[0],
        },
    )
