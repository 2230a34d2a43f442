import pytest

from seance.core import permissions as perms
from seance.core.permissions import role_has_perm


def test_owner_may_do_everything():
    assert all(role_has_perm("owner", p) for p in perms.ALL)


def test_manager_may_do_all_but_team_and_organizer_settings():
    assert {p for p in perms.ALL if not role_has_perm("manager", p)} == {
        perms.MANAGE_TEAM,
        perms.MANAGE_ORGANIZER,
    }


def test_assistant_works_on_sessions_and_photos_only():
    allowed = {p for p in perms.ALL if role_has_perm("assistant", p)}
    assert allowed == {perms.MANAGE_SESSIONS, perms.MANAGE_PHOTOS, perms.VIEW_PRICES}
    for denied in (perms.MANAGE_PRICES, perms.MANAGE_PAYMENTS, perms.EXPORT):
        assert not role_has_perm("assistant", denied)


def test_unknown_permission_is_a_bug_not_a_no():
    with pytest.raises(ValueError):
        role_has_perm("owner", "manage_everything")
