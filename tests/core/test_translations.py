"""X2: the French catalog is complete, and the compiled file served is the one reviewed."""

import gettext
import json
import re
from pathlib import Path

import seance

LOCALE = Path(seance.__file__).parent / "locale" / "fr" / "LC_MESSAGES"


def entries():
    """(msgid, msgstr, flags, context) of every entry of the .po, header excluded."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        flags = " ".join(line for line in lines if line.startswith("#,"))
        parts = {"msgctxt": [], "msgid": [], "msgstr": [], "msgid_plural": [], "msgstr[1]": []}
        current = None
        for line in lines:
            # A plural entry: its singular is checked as msgstr, its plural as msgstr[1].
            line = line.replace("msgstr[0] ", "msgstr ", 1)
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr\[1\]|msgstr) (".*")$', line)
            if match:
                current = match.group(1)
                parts[current].append(json.loads(match.group(2)))
            elif line.startswith('"') and current:
                parts[current].append(json.loads(line))
        msgid, msgstr = "".join(parts["msgid"]), "".join(parts["msgstr"])
        if msgid:
            yield msgid, msgstr, flags, "".join(parts["msgctxt"]) or None
        if parts["msgid_plural"]:
            plural = "".join(parts["msgid_plural"])
            yield plural, "".join(parts["msgstr[1]"]), flags, "plural:" + msgid


def test_every_string_is_translated_and_none_is_fuzzy():
    found = list(entries())
    assert len(found) > 250
    assert [m for m, s, _, _ in found if not s] == []
    assert [m for m, _, f, _ in found if "fuzzy" in f] == []


def test_placeholders_survive_translation():
    for msgid, msgstr, _, _ in entries():
        for pattern in (r"%\(\w+\)s", r"%s", r"\{\{ ?\w+ ?\}\}"):
            assert sorted(re.findall(pattern, msgid)) == sorted(re.findall(pattern, msgstr)), msgid


def test_compiled_catalog_matches_the_source():
    with (LOCALE / "django.mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)

    def compiled_text(msgid, context):
        if context and context.startswith("plural:"):
            return compiled.ngettext(context.removeprefix("plural:"), msgid, 2)
        return compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)

    stale = [m for m, s, _, context in entries() if compiled_text(m, context) != s]
    assert stale == [], "run `make messages` (compilemessages) after editing django.po"
