from django.urls import path, re_path

from seance.shop import buying, views, webhooks

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
    path("g/<str:code>/photo/<str:digest>/", buying.photo_page, name="photo"),
    path("g/<str:code>/package/<int:product>/", buying.package_page, name="package"),
    path("g/<str:code>/add/", buying.add, name="add_to_cart"),
    path("shop/<slug:organizer>/cart/", buying.cart_page, name="cart"),
    path("shop/<slug:organizer>/cart/update/", buying.cart_update, name="cart_update"),
    path("shop/<slug:organizer>/checkout/", buying.checkout, name="checkout"),
    path("orders/<str:token>/", buying.order_page, name="order"),
    path("orders/<str:token>/pay/", buying.pay, name="pay"),
    path("download/<str:token>/", buying.download, name="download"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("webhooks/stripe/", webhooks.stripe_webhook, name="stripe_webhook"),
]
