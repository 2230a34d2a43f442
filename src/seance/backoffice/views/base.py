"""What every back-office view shares: who may enter, and the tenant it works in."""

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render

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
            return view(request, *args, **kwargs)

        wrapper.required_perm = perm
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
