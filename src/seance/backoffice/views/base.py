"""What every back-office view shares: who may enter, and the tenant it works in."""

import functools
import zoneinfo

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from seance.core import permissions as perms
from seance.core.errors import SeanceError


def staff_view(perm: str | None = None):
    """Let in logged-in staff of an organizer, with ``perm`` if given.

    Sets ``request.organizer``: the one organizer this request may read or write (X1).
    Everything the view fetches goes through ``….for_organizer(request.organizer)``, so a
    foreign id is a 404.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = request.membership
            if not membership:
                return render(request, "backoffice/no_organizer.html", status=403)
            if perm is not None and not membership.has_perm(perm):
                raise PermissionDenied
            request.organizer = membership.organizer
            # Dates and times on the page are the organizer's, not the server's.
            timezone.activate(zoneinfo.ZoneInfo(request.organizer.timezone))
            return view(request, *args, **kwargs)

        wrapper.required_perm = perm
        return wrapper

    return decorator


def can_share_sales(request) -> bool:
    """S1: who may let a sponsor's contact follow sales: those who may see and export them."""
    return request.membership.has_perm(perms.EXPORT)


def limit_body(max_bytes: int):
    """Refuse a request body larger than ``max_bytes`` before reading it (uploads included)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = max_bytes + 1
            if length > max_bytes:
                return HttpResponse(
                    _("This upload is too large: at most %(mb)s MB.") % {"mb": max_bytes // 2**20},
                    status=413,
                    content_type="text/plain; charset=utf-8",
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def apply_errors(form, error: ValidationError | SeanceError) -> None:
    """Show a service's refusal on the form: per field where it names one."""
    if isinstance(error, SeanceError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
    elif hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def paginate(request, queryset, per_page: int = 50):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
