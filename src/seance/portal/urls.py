from django.urls import path

from seance.portal import views

app_name = "portal"

urlpatterns = [
    path("portal/", views.dashboard, name="dashboard"),
    path("portal/sessions/<int:session>/", views.session_detail, name="session"),
    path("portal/sign-out/", views.sign_out, name="sign_out"),
    # Last: a token never looks like "sessions" or "sign-out" (it has colons).
    path("portal/<str:token>/", views.link, name="link"),
]
