from seance.core.models import Membership


def current_membership(user, organizer_slug: str | None = None) -> Membership | None:
    """The user's membership in the chosen organizer, or in their first one."""
    memberships = Membership.objects.filter(user=user).select_related("organizer")
    if organizer_slug:
        chosen = memberships.filter(organizer__slug=organizer_slug).first()
        if chosen is not None:
            return chosen
    return memberships.order_by("organizer__name", "id").first()


def team(organizer):
    return (
        Membership.objects.filter(organizer=organizer)
        .select_related("user")
        .order_by("user__email")
    )
