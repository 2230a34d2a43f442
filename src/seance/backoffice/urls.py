"""Back-office URLs. Object ids are named after what they point to (``<int:session>``),
which lets the tenant-isolation test fill every URL with a real object of another organizer.
"""

from django.urls import path

from seance.backoffice.views import (
    cards,
    home,
    order_actions,
    orders,
    photos,
    prices,
    sessions,
    sponsors,
    team,
)

app_name = "backoffice"

urlpatterns = [
    path("", home, name="home"),
    path("sessions/", sessions.session_list, name="session_list"),
    path("sessions/export.csv", sessions.session_export, name="session_export"),
    path("sessions/new/", sessions.session_create, name="session_create"),
    path(
        "sessions/watermark-preview/",
        sessions.watermark_preview,
        name="watermark_preview",
    ),
    path("sessions/<int:session>/", sessions.session_detail, name="session_detail"),
    path("sessions/<int:session>/edit/", sessions.session_edit, name="session_edit"),
    path("sessions/<int:session>/status/", sessions.session_status, name="session_status"),
    path("sessions/<int:session>/yearbook.zip", sessions.yearbook_export, name="yearbook_export"),
    path(
        "sessions/<int:session>/watermark-preview/",
        sessions.watermark_preview,
        name="session_watermark_preview",
    ),
    path("sessions/<int:session>/cards/", cards.card_list, name="card_list"),
    path("sessions/<int:session>/cards/add/", cards.cards_add, name="cards_add"),
    path("sessions/<int:session>/cards/import/", cards.cards_import, name="cards_import"),
    path("sessions/<int:session>/cards/cards.pdf", cards.cards_pdf, name="cards_pdf"),
    path("sessions/<int:session>/cards/<int:card>/void/", cards.card_void, name="card_void"),
    path(
        "sessions/<int:session>/cards/pre-registrations.csv",
        cards.registrations_export,
        name="registrations_export",
    ),
    path("sessions/<int:session>/photos/", photos.photo_home, name="photo_home"),
    path("sessions/<int:session>/photos/albums/", photos.album_create, name="album_create"),
    path("sessions/<int:session>/photos/upload/", photos.photo_upload, name="photo_upload"),
    path(
        "sessions/<int:session>/photos/<int:photo>/<str:kind>.jpg",
        photos.photo_file,
        name="photo_file",
    ),
    path("sessions/<int:session>/sorting/", photos.sorting_review, name="sorting_review"),
    path(
        "sessions/<int:session>/sorting/activate/",
        photos.sorting_activate,
        name="sorting_activate",
    ),
    path("sessions/<int:session>/sorting/fix/", photos.sorting_fix, name="sorting_fix"),
    path("sponsors/", sponsors.sponsor_list, name="sponsor_list"),
    path("sponsors/new/", sponsors.sponsor_create, name="sponsor_create"),
    path("sponsors/inline/", sessions.sponsor_inline, name="sponsor_inline"),
    path("sponsors/<int:sponsor>/", sponsors.sponsor_detail, name="sponsor_detail"),
    path("sponsors/<int:sponsor>/edit/", sponsors.sponsor_edit, name="sponsor_edit"),
    path("segments/", sponsors.segment_list, name="segment_list"),
    path("segments/<int:segment>/", sponsors.segment_edit, name="segment_edit"),
    path("prices/", prices.profile_list, name="profile_list"),
    path("prices/new/", prices.profile_create, name="profile_create"),
    path("prices/<int:profile>/", prices.profile_detail, name="profile_detail"),
    path("prices/<int:profile>/edit/", prices.profile_edit, name="profile_edit"),
    path("prices/<int:profile>/products/new/", prices.product_create, name="product_create"),
    path(
        "prices/<int:profile>/products/<int:product>/",
        prices.product_edit,
        name="product_edit",
    ),
    path(
        "prices/<int:profile>/products/<int:product>/delete/",
        prices.product_delete,
        name="product_delete",
    ),
    path(
        "prices/<int:profile>/products/<int:product>/package/",
        prices.package_items,
        name="package_items",
    ),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/bulk/", orders.order_bulk, name="order_bulk"),
    path("orders/export.csv", orders.order_export_csv, name="order_export_csv"),
    path("orders/lab-export.zip", orders.order_lab_export, name="order_lab_export"),
    path("orders/<int:order>/", orders.order_detail, name="order_detail"),
    path(
        "orders/<int:order>/payments/<int:payment>/confirm/",
        orders.payment_confirm,
        name="payment_confirm",
    ),
    path("orders/<int:order>/status/", order_actions.order_status, name="order_status"),
    path(
        "orders/<int:order>/resend/<str:email>/",
        order_actions.order_resend,
        name="order_resend",
    ),
    path("team/", team.team_list, name="team_list"),
    path("team/<int:member>/role/", team.member_role, name="member_role"),
    path("team/<int:member>/remove/", team.member_remove, name="member_remove"),
    path("settings/", team.organizer_settings, name="organizer_settings"),
    path("settings/agreement/", cards.agreement_edit, name="agreement_edit"),
    path("ftp/", photos.ftp_account, name="ftp_account"),
]
