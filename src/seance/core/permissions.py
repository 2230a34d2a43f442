"""What each staff role may do (X1). One table, read by views, templates and tests."""

# Permission names are verbs on areas of the back office.
MANAGE_SESSIONS = "manage_sessions"  # sessions, sponsors, segments, watermark
MANAGE_PHOTOS = "manage_photos"  # import, sorting, galleries
VIEW_PRICES = "view_prices"  # see price profiles
MANAGE_PRICES = "manage_prices"  # create price profiles, edit products and prices
MANAGE_PAYMENTS = "manage_payments"  # confirm payments, refunds
EXPORT = "export"  # any export of business or personal data
MANAGE_TEAM = "manage_team"  # add, remove and change the roles of staff
MANAGE_ORGANIZER = "manage_organizer"  # organizer and billing settings

ALL = frozenset(
    {
        MANAGE_SESSIONS,
        MANAGE_PHOTOS,
        VIEW_PRICES,
        MANAGE_PRICES,
        MANAGE_PAYMENTS,
        EXPORT,
        MANAGE_TEAM,
        MANAGE_ORGANIZER,
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # Owner: everything.
    "owner": ALL,
    # Manager: everything but the team and the organizer's (billing) settings.
    "manager": ALL - {MANAGE_TEAM, MANAGE_ORGANIZER},
    # Assistant: sessions and photos; sees which price profile a session uses,
    # but no prices editing, no payments, no exports.
    "assistant": frozenset({MANAGE_SESSIONS, MANAGE_PHOTOS, VIEW_PRICES}),
}


def role_has_perm(role: str, perm: str) -> bool:
    if perm not in ALL:
        raise ValueError(f"Unknown permission {perm!r}")
    return perm in ROLE_PERMISSIONS.get(role, frozenset())
