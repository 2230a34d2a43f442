from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from seance.core import views as core_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="backoffice:home"), name="root"),
    path("backoffice/", include("seance.backoffice.urls")),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/language/", core_views.language, name="set_language"),
    path("accounts/organizer/", core_views.switch_organizer, name="switch_organizer"),
    path("admin/", admin.site.urls),
    path("", include("seance.portal.urls")),
    path("", include("seance.shop.urls")),
]
