from seance.core import permissions
from seance.core.queries import organizers_of


def staff(request):
    """``membership``, ``organizer`` and ``can`` (``can.manage_prices``…) for templates."""
    membership = getattr(request, "membership", None)
    if not membership:
        return {}
    return {
        "membership": membership,
        "organizer": membership.organizer,
        "can": {perm: membership.has_perm(perm) for perm in permissions.ALL},
        "my_organizers": lambda: organizers_of(request.user),  # evaluated by the sidebar only
    }
