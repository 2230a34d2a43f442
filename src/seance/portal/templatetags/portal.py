from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def percent(ratio) -> str:
    """A ratio (0.42) as a whole percentage in the current language ("42%", "42 %");
    none (no galleries) as a dash."""
    if ratio is None:
        return "—"
    return _("%(percent)s%%") % {"percent": floatformat(ratio * 100, 0)}
