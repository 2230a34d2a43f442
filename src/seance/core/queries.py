from seance.core.models import Membership


def current_membership(user, organizer_slug: str | None = None) -> Membership | None:
    """The user's membership in the organizer chosen in this browser session, else their
    oldest one: joining another team later never moves anyone out of their own."""
    memberships = Membership.objects.filter(user=user).select_related("organizer")
    if organizer_slug:
        chosen = memberships.filter(organizer__slug=organizer_slug).first()
        if chosen is not None:
            return chosen
    return memberships.order_by("created_at", "id").first()


def organizers_of(user):
    return [m.organizer for m in Membership.objects.filter(user=user).select_related("organizer")]


def team(organizer):
    return (
        Membership.objects.filter(organizer=organizer)
        .select_related("user")
        .order_by("user__email")
    )
