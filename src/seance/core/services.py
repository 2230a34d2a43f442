"""Writes on organizers, their team and staff accounts (X1, X2)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from seance.core.audit import changes, log_action, snapshot
from seance.core.links import absolute
from seance.core.models import Membership, Organizer, Role, User

ORGANIZER_FIELDS = ["name", "slug", "currency", "timezone", "languages", "cards_per_page"]


@transaction.atomic
def create_organizer(*, name: str, slug: str, owner: User, **fields: Any) -> Organizer:
    """A new tenant with ``owner`` as its first owner."""
    organizer = Organizer(name=name, slug=slug, **fields)
    if not organizer.languages:
        organizer.languages = ["en", "fr"]
    organizer.full_clean()
    organizer.save()
    Membership.objects.create(organizer=organizer, user=owner, role=Role.OWNER)
    log_action(organizer, "seance.organizer.created", user=owner, data={"name": name})
    return organizer


@transaction.atomic
def update_organizer(organizer: Organizer, *, user, **fields: Any) -> Organizer:
    organizer = Organizer.objects.select_for_update().get(pk=organizer.pk)
    before = snapshot(organizer, ORGANIZER_FIELDS)
    for name, value in fields.items():
        if name not in ORGANIZER_FIELDS:
            raise TypeError(f"{name} is not an organizer setting")
        setattr(organizer, name, value)
    organizer.full_clean()
    organizer.save()
    diff = changes(before, snapshot(organizer, ORGANIZER_FIELDS))
    if diff:
        log_action(organizer, "seance.organizer.changed", user=user, data=diff)
    return organizer


def _send_password_link(user: User, *, request=None) -> None:
    """Email a new staff member the link to choose a password, once the transaction commits.

    Django's password-reset form skips users without a usable password, which is exactly
    what a new member is; the link itself is the same, so the reset pages serve it.
    """
    if request is not None:
        protocol, domain = request.scheme, request.get_host()
    else:
        protocol, _sep, domain = settings.SEANCE_SITE_URL.partition("://")
    context = {
        "email": user.email,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "protocol": protocol,
        "domain": domain.rstrip("/"),
    }

    def send():
        subject = "".join(
            render_to_string("registration/welcome_subject.txt", context).splitlines()
        )
        body = render_to_string("registration/welcome_email.txt", context)
        send_mail(subject, body, None, [user.email])

    transaction.on_commit(send)


def _tell_added(user: User, organizer: Organizer) -> None:
    """Someone who has an account already learns that a team added them (nothing to accept:
    the new organizer appears in their organizer menu, their own stays the default)."""
    subject = _("You have been added to the team of %(organizer)s on Séance") % {
        "organizer": organizer.name
    }
    body = render_to_string(
        "registration/added_email.txt",
        {"organizer": organizer.name, "site": absolute()},
    )
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))


@transaction.atomic
def add_team_member(
    organizer: Organizer,
    *,
    user,
    email: str,
    role: str,
    name: str = "",
    request=None,
    notify: bool = True,
) -> Membership:
    """Give ``email`` a role in the organizer. A new person gets a link to set a password,
    someone with an account a note that they were added (unless ``notify`` is false)."""
    email = email.strip().lower()
    person = User.objects.filter(email=email).first()
    if person is None:
        first, _sep, last = name.strip().partition(" ")
        person = User.objects.create_user(email=email, first_name=first, last_name=last)
        if notify:
            _send_password_link(person, request=request)
    elif Membership.objects.filter(organizer=organizer, user=person).exists():
        raise ValidationError({"email": [_("This person is in the team already.")]})
    elif notify:
        _tell_added(person, organizer)
    membership = Membership.objects.create(organizer=organizer, user=person, role=role)
    log_action(organizer, "seance.team.added", user=user, data={"email": email, "role": role})
    return membership


def _lock_membership(membership: Membership) -> Membership:
    """Lock the organizer row, then read the membership afresh: team changes of one organizer
    run one after the other, so two owners demoting each other cannot leave it ownerless."""
    list(Organizer.objects.select_for_update().filter(pk=membership.organizer_id).values("pk"))
    return Membership.objects.select_related("user", "organizer").get(pk=membership.pk)


def _check_keeps_an_owner(membership: Membership) -> None:
    owners = Membership.objects.filter(organizer=membership.organizer_id, role=Role.OWNER)
    if membership.role == Role.OWNER and owners.count() == 1:
        raise ValidationError(_("An organizer keeps at least one owner."))


@transaction.atomic
def change_role(membership: Membership, *, user, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError(_("Choose a role."))
    membership = _lock_membership(membership)
    if role != membership.role:
        if role != Role.OWNER:
            _check_keeps_an_owner(membership)
        log_action(
            membership.organizer,
            "seance.team.role_changed",
            user=user,
            data={"email": membership.user.email, "role": [membership.role, role]},
        )
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_team_member(membership: Membership, *, user) -> None:
    membership = _lock_membership(membership)
    _check_keeps_an_owner(membership)
    log_action(
        membership.organizer,
        "seance.team.removed",
        user=user,
        data={"email": membership.user.email},
    )
    membership.delete()


def set_language(user: User, language: str) -> None:
    """X2: the back office speaks ``language`` to this user from now on ('' = browser's)."""
    user.language = language
    user.full_clean(validate_unique=False)
    user.save(update_fields=["language"])
