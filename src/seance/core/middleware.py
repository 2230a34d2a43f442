from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject

from seance.core.queries import current_membership

SESSION_KEY = "seance_organizer"


class StaffMiddleware:
    """Put the staff member's membership on the request, and speak their language (X2).

    ``request.membership`` is the user's membership in the organizer chosen for this browser
    session (the only one, for most people), or ``None``. Back-office views take the
    organizer from it and from nowhere else, which is what keeps tenants apart (X1).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.deactivate()  # back-office views activate their organizer's time zone
        request.membership = SimpleLazyObject(lambda: _membership(request))
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


def _membership(request):
    if not request.user.is_authenticated:
        return None
    return current_membership(request.user, request.session.get(SESSION_KEY))
