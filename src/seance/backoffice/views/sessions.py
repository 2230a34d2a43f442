"""Photo sessions in the back office (P1–P10)."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seance.backoffice.forms import (
    InlineSponsorForm,
    SessionFilterForm,
    SessionForm,
    WatermarkPreviewForm,
)
from seance.backoffice.views.base import (
    apply_errors,
    can_share_sales,
    limit_body,
    paginate,
    staff_view,
)
from seance.backoffice.views.comms import session_schedule
from seance.backoffice.views.yearbook import yearbook_export  # noqa: F401 - a session page
from seance.core import permissions as perms
from seance.core.audit import entries_for
from seance.core.exports import csv_response
from seance.photos import imaging, queries, services
from seance.photos.models import Segment, Session, SessionStatus
from seance.photos.services import SESSION_FIELDS, SessionError

UPLOAD_LIMIT = 3 * 2**20  # a session form or a preview carries at most a 2 MB logo


def _own_segment(request, value) -> Segment | None:
    """The organizer's segment with this id, or None for anything else (foreign, not a number)."""
    if not str(value or "").isdigit():
        return None
    return Segment.objects.for_organizer(request.organizer).filter(pk=value).first()


def _session_form(request, *args, **kwargs) -> SessionForm:
    return SessionForm(
        *args,
        organizer=request.organizer,
        can_discount=request.membership.has_perm(perms.MANAGE_PRICES),
        **kwargs,
    )


def _scoped(request, pk) -> Session:
    return get_object_or_404(
        Session.objects.for_organizer(request.organizer).with_relations(), pk=pk
    )


@staff_view(perms.MANAGE_SESSIONS)
def session_list(request):
    filters = SessionFilterForm(request.GET or None, organizer=request.organizer)
    sessions = queries.sessions_for(request.organizer, **filters.filters())
    return render(
        request,
        "backoffice/sessions/list.html",
        {
            "filters": filters,
            "page": paginate(request, sessions),
            "counts": queries.status_counts(request.organizer),
            "statuses": SessionStatus,
            "query": request.GET.urlencode(),
        },
    )


@staff_view(perms.EXPORT)
def session_export(request):
    """The filtered session list as a spreadsheet."""
    filters = SessionFilterForm(request.GET or None, organizer=request.organizer)
    sessions = queries.sessions_for(request.organizer, **filters.filters())
    header = [
        _("Reference"),
        _("Name"),
        _("Shooting date"),
        _("Status"),
        _("Segment"),
        _("Sponsor"),
        _("Expected subjects"),
        _("Price profile"),
        _("Archive date"),
    ]
    rows = (
        [
            s.reference,
            s.name,
            s.shooting_date.isoformat(),
            s.get_status_display(),
            s.segment.name,
            s.sponsor.name,
            s.expected_subjects,
            s.price_profile.name if s.price_profile else "",
            s.archive_on.isoformat() if s.archive_on else "",
        ]
        for s in sessions.iterator(chunk_size=500)
    )
    return csv_response("sessions.csv", header, rows)


def _new_session_initial(request) -> tuple[dict, Session | None]:
    """What the new-session form starts with: what was typed, plus P3 segment defaults.

    Choosing a segment brings in all of its defaults; changing the shooting date afterwards
    fills the milestone dates still empty, at their usual distance from the shoot.
    """
    initial = {k: v for k, v in request.GET.items() if k in SESSION_FIELDS and v}
    segment = _own_segment(request, request.GET.get("segment"))
    if segment is None:
        return initial, None
    try:
        shooting_date = dt.date.fromisoformat(request.GET.get("shooting_date", ""))
    except ValueError:
        shooting_date = None
    defaults = services.segment_defaults(segment, shooting_date=shooting_date)
    if request.GET.get("changed") == "shooting_date":
        for name in services.SEGMENT_RELATIVE_DATES:
            if name in defaults and not initial.get(name):
                initial[name] = defaults[name]
    else:
        initial.update(defaults)
    if not request.membership.has_perm(perms.MANAGE_PRICES):
        # Read-only discount fields are not sent back by the browser: always the segment's.
        initial.update({k: defaults[k] for k in SessionForm.discount_fields if k in defaults})
    return initial, services.latest_in_segment(segment)


@staff_view(perms.MANAGE_SESSIONS)
@limit_body(UPLOAD_LIMIT)
def session_create(request):
    if request.method == "POST":
        instance = Session(organizer=request.organizer)
        segment = _own_segment(request, request.POST.get("segment"))
        try:
            shooting_date = dt.date.fromisoformat(request.POST.get("shooting_date", ""))
        except ValueError:
            shooting_date = None
        # P3: the new session starts from the segment's defaults; what the form sends
        # overrides them, except what this user may not change (read-only fields) and the
        # watermark image, which stays unless replaced or removed.
        if segment is not None:
            for name, value in services.segment_defaults(
                segment, shooting_date=shooting_date
            ).items():
                setattr(instance, name, value)
        form = _session_form(request, request.POST, request.FILES, instance=instance)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in SESSION_FIELDS}
            try:
                session = services.create_session(request.organizer, user=request.user, **fields)
            except ValidationError as e:
                apply_errors(form, e)
            else:
                messages.success(request, _("Session “%s” created.") % session.name)
                return redirect("backoffice:session_detail", session=session.pk)
        source = None
    else:
        initial, source = _new_session_initial(request)
        form = _session_form(request, initial=initial)
    form.follow_segment_defaults(reverse("backoffice:session_create"))
    return render(
        request,
        "backoffice/sessions/form.html",
        {
            "form": form,
            "sponsor_form": InlineSponsorForm(can_share_sales=can_share_sales(request)),
            "defaults_source": source,
            "creating": True,
        },
    )


@staff_view(perms.MANAGE_SESSIONS)
def session_detail(request, session):
    session = _scoped(request, session)
    return render(
        request,
        "backoffice/sessions/detail.html",
        {
            "session": session,
            "transitions": [SessionStatus(s) for s in services.TRANSITIONS.get(session.status, ())],
            "schedule": session_schedule(session),
            "log": entries_for(session)[:100],
        },
    )


@staff_view(perms.MANAGE_SESSIONS)
@limit_body(UPLOAD_LIMIT)
def session_edit(request, session):
    session = _scoped(request, session)
    form = _session_form(request, request.POST or None, request.FILES or None, instance=session)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in SESSION_FIELDS}
        try:
            services.update_session(session, user=request.user, **fields)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Session saved."))
            return redirect("backoffice:session_detail", session=session.pk)
    return render(
        request,
        "backoffice/sessions/form.html",
        {
            "form": form,
            "session": session,
            "sponsor_form": InlineSponsorForm(can_share_sales=can_share_sales(request)),
        },
    )


@staff_view(perms.MANAGE_SESSIONS)
@require_POST
def session_status(request, session):
    """P1, P16: put on sale, archive, re-open."""
    session = _scoped(request, session)
    try:
        services.change_session_status(session, request.POST.get("status", ""), user=request.user)
    except SessionError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request, _("The session is now “%s”.") % SessionStatus(session.status).label
        )
    return redirect("backoffice:session_detail", session=session.pk)


def _preview_response(request, watermark: imaging.Watermark) -> HttpResponse:
    image = imaging.apply_watermark(imaging.sample_photo(), watermark)
    response = HttpResponse(imaging.to_jpeg(image), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@staff_view(perms.MANAGE_SESSIONS)
@limit_body(UPLOAD_LIMIT)
def watermark_preview(request, session=None):
    """P10: the sample photo with the watermark as the form currently describes it.

    The form posts its watermark fields (and the chosen file, if any) on every change;
    without a new file, the image already saved is used: the session's, or for a new
    session the one its segment's latest session passes on (P3), unless "remove" is ticked.
    """
    params = request.POST or request.GET
    if session is not None:
        saved = _scoped(request, session)
    else:
        segment = _own_segment(request, params.get("segment"))
        saved = services.latest_in_segment(segment) if segment is not None else None
    if params.get("watermark_image-clear"):
        saved = None
    form = WatermarkPreviewForm(params, request.FILES or None)
    if not form.is_valid():
        return HttpResponse(
            " ".join(e for errors in form.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    data = form.cleaned_data
    mark = None
    if data["watermark_image"]:
        data["watermark_image"].seek(0)
        mark = imaging.open_mark(data["watermark_image"].read())
    elif saved is not None and saved.watermark_image:
        try:
            with saved.watermark_image.open("rb") as f:
                mark = imaging.open_mark(f.read())
        except (OSError, imaging.ImagingError):
            mark = None
    watermark = imaging.Watermark(
        kind=data["watermark_kind"] or "text",
        text=data["watermark_text"] or "",
        mark=mark,
        position=data["watermark_position"] or "tiled",
        opacity=35 if data["watermark_opacity"] is None else data["watermark_opacity"],
    )
    return _preview_response(request, watermark)


@staff_view(perms.MANAGE_SESSIONS)
@require_POST
def sponsor_inline(request):
    """P2: create a sponsor from the session form without leaving it (htmx dialog)."""
    form = InlineSponsorForm(request.POST, can_share_sales=can_share_sales(request))
    if form.is_valid():
        try:
            sponsor = services.create_sponsor(
                request.organizer, user=request.user, **form.cleaned_data
            )
        except (ValidationError, SessionError) as e:
            apply_errors(form, e)
        else:
            response = render(request, "backoffice/sponsors/_option.html", {"sponsor": sponsor})
            response["HX-Trigger"] = "sponsor-created"
            return response
    response = render(request, "backoffice/sponsors/_inline_form.html", {"sponsor_form": form})
    response["HX-Retarget"] = "#sponsor-inline-form"
    response["HX-Reswap"] = "outerHTML"
    return response
