import re

import pytest
from django.core import mail
from django.urls import reverse

from seance.core.models import User


def test_login_with_email_in_any_case(client, owner, organizer):
    response = client.post(
        reverse("login"), {"username": "OWNER@studio.test", "password": "secret-pass-1"}
    )
    assert response.status_code == 302
    assert client.get(reverse("backoffice:session_list")).status_code == 200


def test_wrong_password_says_so(client, owner):
    response = client.post(reverse("login"), {"username": owner.email, "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_back_office_needs_a_login(client, organizer):
    response = client.get(reverse("backoffice:session_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logout(client, owner):
    client.force_login(owner)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("backoffice:session_list")).status_code == 302


def test_user_without_organizer_is_told_so(client, db):
    user = User.objects.create_user(email="lost@x.test", password="secret-pass-1")
    client.force_login(user)
    response = client.get(reverse("backoffice:session_list"))
    assert response.status_code == 403
    assert b"not in any team" in response.content


def test_password_reset_by_email(client, owner):
    client.post(reverse("password_reset"), {"email": owner.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-long-pass-42", "new_password2": "a-new-long-pass-42"},
    )
    owner.refresh_from_db()
    assert owner.check_password("a-new-long-pass-42")
    assert not client.get(link, follow=True).context["validlink"]  # used once


def test_unknown_email_gets_the_same_answer_and_no_mail(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@x.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_admin_is_for_superusers_only(client, owner, db):
    owner.is_staff = True
    owner.save()
    client.force_login(owner)
    assert client.get("/admin/").status_code == 302  # sent to the admin login
    root = User.objects.create_superuser(email="root@x.test", password="secret-pass-1")
    client.force_login(root)
    assert client.get("/admin/").status_code == 200


def test_new_team_member_gets_a_link_to_choose_a_password(
    client, owner, organizer, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("backoffice:team_list"),
            {"email": "New.Person@Studio.test", "name": "New Person", "role": "manager"},
        )
    person = User.objects.get(email="new.person@studio.test")
    assert person.memberships.get().role == "manager"
    assert not person.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [person.email]
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "chosen-pass-123", "new_password2": "chosen-pass-123"},
    )
    person.refresh_from_db()
    assert person.check_password("chosen-pass-123")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_language_is_kept_per_user(client, owner, language):
    client.force_login(owner)
    client.post(reverse("set_language"), {"language": language, "next": "/backoffice/"})
    owner.refresh_from_db()
    assert owner.language == language
    client.cookies.clear()  # another browser: the user's choice still holds
    client.force_login(owner)
    response = client.get(reverse("backoffice:session_list"))
    assert response.context["LANGUAGE_CODE"] == language


def test_french_back_office_speaks_french(client, owner, session):
    owner.language = "fr"
    owner.save()
    client.force_login(owner)
    body = client.get(reverse("backoffice:session_list")).content.decode()
    assert "Séances" in body and "Nouvelle séance" in body and "Prévue" in body
    assert "New session" not in body


@pytest.mark.parametrize(
    "url", ["/admin/photos/session/", "/admin/catalog/priceprofile/", "/admin/core/logentry/"]
)
def test_admin_pages_open_for_superusers(client, session, url):
    root = User.objects.create_superuser(email="root@x.test", password="secret-pass-1")
    client.force_login(root)
    assert client.get(url).status_code == 200
