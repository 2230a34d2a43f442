from decimal import Decimal

from django.utils import translation

from seance.core.templatetags.seance import action_label, field_label, field_value, money


def test_logged_values_read_as_people_read_them():
    with translation.override("en"):
        assert field_value("2026-12-06", "shooting_date") == "Dec. 6, 2026"
        assert field_value("percent", "discount_kind") == "Percent off"
        assert field_value(True, "may_see_sales") == "yes"
        assert field_value(None, "archive_on") == "—"
        assert field_label("expected_subjects") == "Expected subjects"
        assert action_label("seance.session.changed") == "Session changed"
    with translation.override("fr"):
        assert field_value("2026-12-06", "shooting_date") == "6 décembre 2026"
        assert field_value("on_sale", "status") == "En vente"
        assert field_label("sponsor") == "Commanditaire"


def test_money_follows_the_locale():
    with translation.override("en"):
        assert money(Decimal("1234.5"), "EUR") == "1234.50\N{NO-BREAK SPACE}EUR"
    with translation.override("fr"):
        assert money(Decimal("6"), "EUR") == "6,00\N{NO-BREAK SPACE}EUR"
