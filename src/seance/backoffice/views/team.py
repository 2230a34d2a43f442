"""The team (owners only) and the organizer's settings (owners only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seance.backoffice.forms import OrganizerForm, RoleForm, TeamMemberForm
from seance.backoffice.views.base import apply_errors, staff_view
from seance.core import permissions as perms
from seance.core import services
from seance.core.audit import entries_for
from seance.core.models import Membership, Role
from seance.core.queries import team


@staff_view(perms.MANAGE_TEAM)
def team_list(request):
    form = TeamMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.add_team_member(
                request.organizer, user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("%s was added to the team.") % member.user.email)
            return redirect("backoffice:team_list")
    return render(
        request,
        "backoffice/team/list.html",
        {"members": team(request.organizer), "form": form, "roles": Role.choices},
    )


@staff_view(perms.MANAGE_TEAM)
@require_POST
def member_role(request, member):
    membership = get_object_or_404(
        Membership.objects.filter(organizer=request.organizer), pk=member
    )
    form = RoleForm(request.POST, instance=Membership(role=membership.role))
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a role."))
        services.change_role(membership, user=request.user, role=form.cleaned_data["role"])
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Role changed."))
    return redirect("backoffice:team_list")


@staff_view(perms.MANAGE_TEAM)
@require_POST
def member_remove(request, member):
    membership = get_object_or_404(
        Membership.objects.filter(organizer=request.organizer).select_related("user"), pk=member
    )
    try:
        services.remove_team_member(membership, user=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("%s was removed from the team.") % membership.user.email)
    return redirect("backoffice:team_list")


@staff_view(perms.MANAGE_ORGANIZER)
def organizer_settings(request):
    form = OrganizerForm(request.POST or None, instance=request.organizer)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organizer(request.organizer, user=request.user, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("backoffice:organizer_settings")
    return render(
        request,
        "backoffice/organizer.html",
        {"form": form, "log": entries_for(request.organizer)[:100]},
    )
