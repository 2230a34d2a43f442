from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seance.core.forms import LoginForm
from seance.core.middleware import SESSION_KEY
from seance.core.services import set_language


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


@login_required
@require_POST
def switch_organizer(request):
    """Work in another of one's organizers for the rest of this browser session."""
    slug = request.POST.get("organizer", "")
    if not request.user.memberships.filter(organizer__slug=slug).exists():
        raise Http404
    request.session[SESSION_KEY] = slug
    return redirect("backoffice:home")


@require_POST
def language(request):
    """X2: switch the language; a logged-in user keeps it wherever they log in next."""
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES):
        messages.error(request, _("This language is not available."))
        code = ""
    elif request.user.is_authenticated:
        try:
            set_language(request.user, code)
        except ValidationError:
            code = ""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    if code:
        translation.activate(code)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax"
        )
    return response
