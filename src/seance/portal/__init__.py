"""S1: the sponsor's sales portal — a read-only view of one sponsor's sales, for its contact.

Access
    A sponsor's contact person is not a user: no password, no staff login. Staff who may see
    and export sales (``perms.EXPORT``, the same rule as the sponsor's "may see sales
    tracking" box) press "Send the sales-tracking link" on the sponsor's back-office page,
    which is offered once the box is ticked and a contact email is set. The contact gets an
    email (through the outbox) with a link ``/portal/<token>/``: the sponsor id, the access
    version and a digest of the contact email, signed (salt ``seance.portal``) and
    timestamped; it works for 14 days and may be used again within them (another device).

    Opening the link (GET) changes nothing and shows a button; the button (POST) signs the
    browser in. Mail scanners and link previews fetch emailed links: this way they neither
    sign themselves in nor appear as the contact's visit in the sponsor's log. Signed in
    means a key in the browser session (not Django's auth) holding the same three facts and
    the sign-in time; it lasts 30 days.

    Every request checks, against the database: the sponsor still may see sales, the
    contact email is still the one the link was sent to, and the access version is still
    the one signed in with. "Revoke access" (staff, logged) raises the version
    (``PortalAccess``), so every link sent before and every open portal session stop at
    once; changing the contact email does the same. Unticking the box suspends everything
    until it is ticked again (then links still within their 14 days work again): ending
    access for good is "Revoke access". A link sent after a revocation works.

Pages
    ``/portal/`` lists the sponsor's sessions on sale or archived (planned ones have nothing
    to show) with galleries, galleries opened, paid orders, revenue and conversion, and a
    chart of paid orders and revenue per week (Chart.js, with a table of the same numbers);
    ``/portal/sessions/<id>/`` adds the conversion per album (class). Another sponsor's
    session, or one not shown, is a 404. Numbers only: no family's name, email, access
    code, order code or photo appears anywhere (X4). How each number is counted is in
    ``seance.portal.queries``. Money is in the organizer's currency; the language is the
    browser's if the organizer offers it, else the organizer's first; dates are in the
    organizer's time zone.

Layout
    The portal is an interface app with one small model of its own, ``PortalAccess`` (the
    photos app's ``Sponsor`` is not ours to change), written only by ``services``.
"""
