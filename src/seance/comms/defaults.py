"""The templates and the plan a studio starts with (P9), in English and French.

They are data once installed — the organizer edits them like their own — so their words are
written here per language rather than through the translation catalogue.
"""

import datetime as dt

from django.db import transaction

from seance.comms.models import Channel, Plan, Rule, Template, TemplateText, Trigger
from seance.core.audit import log_action

TEMPLATES = {
    "Photos online": {
        "channel": Channel.EMAIL,
        "with_qr": True,
        "en": (
            "The photos of {{ child_name }} are online",
            "Hello,\n\nThe photos of {{ child_name }} ({{ session }}) are online.\n"
            "Open the gallery with this link, or scan the QR code below:\n{{ gallery_link }}\n"
            "Your code: {{ code }}\n\n{{ organizer }}",
        ),
        "fr": (
            "Les photos de {{ child_name }} sont en ligne",
            "Bonjour,\n\nLes photos de {{ child_name }} ({{ session }}) sont en ligne.\n"
            "Ouvrez la galerie avec ce lien, ou scannez le QR code ci-dessous :\n"
            "{{ gallery_link }}\nVotre code : {{ code }}\n\n{{ organizer }}",
        ),
    },
    "Your QR code": {
        "channel": Channel.EMAIL,
        "with_qr": True,
        "en": (
            "Your access code for the photos of {{ child_name }}",
            "Hello,\n\nHere is the code printed on {{ child_name }}'s card, in case it got lost:"
            "\n{{ code }}\nScan the QR code below or open {{ gallery_link }}\n\n{{ organizer }}",
        ),
        "fr": (
            "Votre code d’accès aux photos de {{ child_name }}",
            "Bonjour,\n\nVoici le code imprimé sur la carte de {{ child_name }}, si elle s’est "
            "perdue :\n{{ code }}\nScannez le QR code ci-dessous ou ouvrez {{ gallery_link }}"
            "\n\n{{ organizer }}",
        ),
    },
    "Last days of the discount": {
        "channel": Channel.EMAIL,
        "with_qr": False,
        "en": (
            "{{ discount }} on the photos of {{ child_name }} until {{ deadline }}",
            "Hello,\n\nThe {{ discount }} discount on the photos of {{ child_name }} "
            "({{ session }}) ends on {{ deadline }}.\n{{ gallery_link }}\n\n{{ organizer }}",
        ),
        "fr": (
            "{{ discount }} sur les photos de {{ child_name }} jusqu’au {{ deadline }}",
            "Bonjour,\n\nLa remise de {{ discount }} sur les photos de {{ child_name }} "
            "({{ session }}) se termine le {{ deadline }}.\n{{ gallery_link }}\n\n{{ organizer }}",
        ),
    },
    "Gallery closes soon": {
        "channel": Channel.EMAIL,
        "with_qr": False,
        "en": (
            "The gallery of {{ child_name }} closes on {{ archive_date }}",
            "Hello,\n\nThe photos of {{ child_name }} ({{ session }}) can be ordered until "
            "{{ archive_date }}.\n{{ gallery_link }}\n\n{{ organizer }}",
        ),
        "fr": (
            "La galerie de {{ child_name }} ferme le {{ archive_date }}",
            "Bonjour,\n\nLes photos de {{ child_name }} ({{ session }}) peuvent être "
            "commandées jusqu’au {{ archive_date }}.\n{{ gallery_link }}\n\n{{ organizer }}",
        ),
    },
    "Photos online (SMS)": {
        "channel": Channel.SMS,
        "with_qr": False,
        "en": (
            "",
            "{{ organizer }}: the photos of {{ child_name }} are online: {{ gallery_link }}",
        ),
        "fr": (
            "",
            "{{ organizer }} : les photos de {{ child_name }} sont en ligne : {{ gallery_link }}",
        ),
    },
}

# (trigger, days, time, template, only without an order yet)
PLAN = [
    (Trigger.GALLERY_PUBLISHED, 0, None, "Photos online", False),
    (Trigger.DISCOUNT_ENDS, -3, dt.time(18, 0), "Last days of the discount", True),
    (Trigger.ARCHIVE, -2, dt.time(10, 0), "Gallery closes soon", True),
]
PLAN_NAME = {"en": "School photos", "fr": "Photos scolaires"}


@transaction.atomic
def install_defaults(organizer, *, user) -> Plan:
    """The default templates (those missing) and the default plan; safe to run again."""
    templates = {}
    for name, spec in TEMPLATES.items():
        template, created = Template.objects.get_or_create(
            organizer=organizer,
            name=name,
            defaults={"channel": spec["channel"], "with_qr": spec["with_qr"]},
        )
        if created:
            for language in ("en", "fr"):
                subject, body = spec[language]
                TemplateText.objects.create(
                    template=template, language=language, subject=subject, body=body
                )
            log_action(template, "seance.template.created", user=user, data={"name": name})
        templates[name] = template
    name = PLAN_NAME.get(organizer.default_language, PLAN_NAME["en"])
    plan, created = Plan.objects.get_or_create(organizer=organizer, name=name)
    if created:
        for trigger, days, at, template, only_without_order in PLAN:
            Rule.objects.create(
                plan=plan,
                trigger=trigger,
                offset_days=days,
                at_time=at,
                template=templates[template],
                only_without_order=only_without_order,
            )
        log_action(plan, "seance.plan.created", user=user, data={"name": name})
    return plan
