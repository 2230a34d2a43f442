"""Message templates written by organizers (P9): ``{{ child_name }}``-style placeholders.

Templates are checked when they are saved and previewed, with every placeholder filled: a
name that is not a placeholder, or a syntax error, is refused then, never found at send
time. The engine is Django's, on its own, with no tags or filters beyond the built-ins and
no access to settings or files: staff write text, not code.
"""

from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext_lazy as _

# The placeholders a plan's message may use, with what they hold (shown beside the editor).
PLACEHOLDERS = {
    "child_name": _("the child's first name (or the registered visitor's name)"),
    "session": _("the session's name, as families see it"),
    "code": _("the access code, in groups of four"),
    "gallery_link": _("the gallery's address (the card's link)"),
    "deadline": _("the discount's last day"),
    "discount": _("the discount (-15 % or 5.00 EUR)"),
    "archive_date": _("the day the gallery closes"),
    "organizer": _("the studio's name"),
}

_MISSING = "\x00missing\x00"
_engine = Engine(string_if_invalid=_MISSING + "%s" + _MISSING, autoescape=False)


class TemplateDataError(ValueError):
    """A template that cannot be rendered with the data given (named in ``missing``)."""

    def __init__(self, message: str, missing: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.missing = missing or []


def render(text: str, context: dict) -> str:
    """``text`` with its placeholders filled; TemplateDataError if one is unknown or empty
    in ``context``, or if the text is not a valid template."""
    # An empty value counts as missing: "until ." is a broken message, not a message.
    values = {name: value for name, value in context.items() if value not in ("", None)}
    try:
        rendered = _engine.from_string(text).render(Context(values, autoescape=False))
    except TemplateSyntaxError as e:
        raise TemplateDataError(str(e)) from e
    except Exception as e:  # an {% include %} of nothing, a tag misused: not a message
        raise TemplateDataError(f"{type(e).__name__}: {e}") from e
    if _MISSING in rendered:
        missing = sorted(set(rendered.split(_MISSING)[1::2]))
        raise TemplateDataError(
            _("Unknown or empty placeholder: %(names)s.") % {"names": ", ".join(missing)},
            missing,
        )
    return rendered


def sample_context() -> dict:
    """Every placeholder with a made-up value: what a template is checked with on save."""
    return {
        "child_name": "Léa",
        "session": "École Jules Ferry — CP",
        "code": "ABCD-EFGH-JKLM",
        "gallery_link": "https://photos.example/g/ABCDEFGHJKLM",
        "deadline": "30/11/2026",
        "discount": "-15 %",
        "archive_date": "31/12/2026",
        "organizer": "Studio",
    }


def check(text: str) -> None:
    """Refuse a template that uses anything but the placeholders (TemplateDataError)."""
    render(text, sample_context())
