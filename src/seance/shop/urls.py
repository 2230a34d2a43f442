from django.urls import path, re_path

from seance.shop import views, webhooks

app_name = "shop"

urlpatterns = [
    path("g/", views.enter_code, name="enter_code"),
    # The card's QR carries the link in capitals (see photos.codes): /G/ is /g/.
    re_path(r"^[gG]/(?P<code>[A-Za-z0-9-]{1,40})/?$", views.open_code, name="open_code"),
    path("g/<str:code>/register/", views.register, name="register"),
    path("g/<str:code>/notify/", views.notify, name="notify"),
    path("g/<str:code>/register-visit/", views.gallery_register, name="gallery_register"),
    path(
        "g/<str:code>/photos/<str:digest>-<str:kind>.jpg",
        views.gallery_photo,
        name="gallery_photo",
    ),
    path("webhooks/stripe/", webhooks.stripe_webhook, name="stripe_webhook"),
]
