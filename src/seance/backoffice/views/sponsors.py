"""Sponsors (P2) and segments (P3)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from seance.backoffice.forms import SegmentForm, SponsorForm
from seance.backoffice.views.base import apply_errors, can_share_sales, paginate, staff_view
from seance.core import permissions as perms
from seance.core.audit import entries_for
from seance.photos import queries, services
from seance.photos.models import Segment, Sponsor
from seance.photos.services import SessionError
from seance.portal import services as portal
from seance.portal.models import PortalAccess
from seance.portal.services import PortalError


@staff_view(perms.MANAGE_SESSIONS)
def sponsor_list(request):
    q = request.GET.get("q", "").strip()
    sponsors = queries.sponsors_for(request.organizer)
    if q:
        sponsors = sponsors.filter(name__icontains=q)
    return render(
        request, "backoffice/sponsors/list.html", {"page": paginate(request, sponsors), "q": q}
    )


@staff_view(perms.MANAGE_SESSIONS)
def sponsor_create(request):
    form = SponsorForm(request.POST or None, can_share_sales=can_share_sales(request))
    if request.method == "POST" and form.is_valid():
        try:
            sponsor = services.create_sponsor(
                request.organizer, user=request.user, **form.cleaned_data
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Sponsor “%s” created.") % sponsor.name)
            return redirect("backoffice:sponsor_detail", sponsor=sponsor.pk)
    return render(request, "backoffice/sponsors/form.html", {"form": form})


@staff_view(perms.MANAGE_SESSIONS)
def sponsor_detail(request, sponsor):
    """The sponsor's page; its POST actions are the sales-tracking controls (S1)."""
    sponsor = get_object_or_404(Sponsor.objects.for_organizer(request.organizer), pk=sponsor)
    if request.method == "POST":
        return _portal_action(request, sponsor)
    return render(
        request,
        "backoffice/sponsors/detail.html",
        {
            "sponsor": sponsor,
            "sessions": sponsor.sessions.select_related("segment").order_by("-shooting_date"),
            "log": entries_for(sponsor)[:100],
            "portal": PortalAccess.objects.filter(sponsor=sponsor).first(),
            "can_share_sales": can_share_sales(request),
        },
    )


PORTAL_ACTIONS = {"portal_send", "portal_revoke"}


def _portal_action(request, sponsor):
    """S1: send the contact a sign-in link to the sales tracking, or revoke their access.

    For staff who may see and export sales, as is ticking "may see sales tracking"."""
    if not can_share_sales(request):
        raise PermissionDenied
    action = request.POST.get("action")
    if action not in PORTAL_ACTIONS:
        return HttpResponseBadRequest()
    if action == "portal_send":
        try:
            portal.send_portal_link(sponsor, user=request.user)
        except PortalError as e:
            messages.error(request, e.message)
        else:
            messages.success(
                request,
                _("The sales-tracking link is on its way to %(email)s.")
                % {"email": sponsor.contact_email},
            )
    else:
        portal.revoke_portal_access(sponsor, user=request.user)
        messages.success(
            request,
            _("Access revoked: the links sent so far and open sales-tracking pages stop working."),
        )
    return redirect("backoffice:sponsor_detail", sponsor=sponsor.pk)


@staff_view(perms.MANAGE_SESSIONS)
def sponsor_edit(request, sponsor):
    sponsor = get_object_or_404(Sponsor.objects.for_organizer(request.organizer), pk=sponsor)
    form = SponsorForm(
        request.POST or None, instance=sponsor, can_share_sales=can_share_sales(request)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_sponsor(sponsor, user=request.user, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Sponsor saved."))
            return redirect("backoffice:sponsor_detail", sponsor=sponsor.pk)
    return render(request, "backoffice/sponsors/form.html", {"form": form, "sponsor": sponsor})


@staff_view(perms.MANAGE_SESSIONS)
def segment_list(request):
    form = SegmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            segment = services.create_segment(
                request.organizer, user=request.user, name=form.cleaned_data["name"]
            )
        except SessionError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Segment “%s” created.") % segment.name)
            return redirect("backoffice:segment_list")
    return render(
        request,
        "backoffice/segments/list.html",
        {"segments": queries.segments_for(request.organizer), "form": form},
    )


@staff_view(perms.MANAGE_SESSIONS)
def segment_edit(request, segment):
    segment = get_object_or_404(Segment.objects.for_organizer(request.organizer), pk=segment)
    form = SegmentForm(request.POST or None, instance=segment)
    if request.method == "POST" and form.is_valid():
        try:
            services.rename_segment(segment, user=request.user, name=form.cleaned_data["name"])
        except SessionError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Segment saved."))
            return redirect("backoffice:segment_list")
    return render(
        request,
        "backoffice/segments/form.html",
        {
            "form": form,
            "segment": segment,
            "latest": services.latest_in_segment(segment),
            "log": entries_for(segment)[:100],
        },
    )
