"""Every write on message templates and communication plans (P9), audited, per organizer.

Templates are checked when they are saved (``templating.check``): a plan never meets an
unknown placeholder at send time. A rule only ever points to a template of its plan's
organizer; a template used by a rule, or a plan used by a session, cannot be deleted.

Errors that belong to a form field are ``ValidationError`` keyed by field name (a
template's texts by ``subject_<language>`` and ``body_<language>``); refusals of a whole
action are :class:`PlanError`.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, ProtectedError, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from seance.comms import schedule, templating
from seance.comms.models import Channel, Plan, Rule, Template, TemplateText, Trigger
from seance.core.audit import changes, log_action, snapshot
from seance.core.errors import SeanceError
from seance.core.models import Organizer

TEMPLATE_FIELDS = ["name", "channel", "with_qr"]
RULE_FIELDS = ["trigger", "offset_days", "at_time", "template", "only_without_order"]
# The order triggers happen in, for showing a plan's rules in time order.
TRIGGER_ORDER = [Trigger.ON_SALE, Trigger.GALLERY_PUBLISHED, Trigger.DISCOUNT_ENDS, Trigger.ARCHIVE]
# Triggers that are a day, not a moment: a rule without a time is due at DATE_TRIGGER_TIME.
DATE_TRIGGERS = {Trigger.DISCOUNT_ENDS, Trigger.ARCHIVE}


class PlanError(SeanceError):
    pass


# --- reads ---------------------------------------------------------------------------------


def templates_for(organizer: Organizer) -> QuerySet[Template]:
    """The organizer's templates with ``rule_count`` and their texts (for the list)."""
    return (
        Template.objects.for_organizer(organizer)
        .annotate(rule_count=Count("rules", distinct=True))
        .prefetch_related(Prefetch("texts", queryset=TemplateText.objects.order_by("language")))
        .order_by("name", "id")
    )


def plans_for(organizer: Organizer) -> QuerySet[Plan]:
    """The organizer's plans with ``rule_count`` and ``session_count`` (for the list)."""
    return (
        Plan.objects.for_organizer(organizer)
        .annotate(
            rule_count=Count("rules", distinct=True),
            session_count=Count("sessions", distinct=True),
        )
        .order_by("name", "id")
    )


def rule_sort_key(rule: Rule) -> tuple:
    """Time order within a plan: by trigger as they happen, then days, then time of day."""
    at = rule.at_time or (
        schedule.DATE_TRIGGER_TIME if rule.trigger in DATE_TRIGGERS else dt.time.min
    )
    return (TRIGGER_ORDER.index(rule.trigger), rule.offset_days, at, rule.pk or 0)


def rules_in_order(plan: Plan) -> list[Rule]:
    return sorted(plan.rules.select_related("template"), key=rule_sort_key)


def describe_rule(rule: Rule) -> str:
    """A rule as a sentence: “Discount ends - 3 days at 18:00 → email “Last days”
    (reminder; only if no order yet)”."""
    parts = [str(Trigger(rule.trigger).label)]
    days = abs(rule.offset_days)
    if rule.offset_days:
        sign = "+" if rule.offset_days > 0 else "\N{MINUS SIGN}"
        parts.append(sign + " " + ngettext("%(days)d day", "%(days)d days", days) % {"days": days})
    if rule.at_time is not None:
        parts.append(_("at %(time)s") % {"time": rule.at_time.strftime("%H:%M")})
    elif rule.trigger in DATE_TRIGGERS:
        parts.append(_("at %(time)s") % {"time": schedule.DATE_TRIGGER_TIME.strftime("%H:%M")})
    channel = _("SMS") if rule.template.channel == Channel.SMS else _("email")
    sentence = " ".join(parts) + " → " + f"{channel} “{rule.template.name}”"
    notes = []
    if rule.is_reminder:
        notes.append(_("reminder"))
    if rule.only_without_order:
        notes.append(_("only if no order yet"))
    if notes:
        sentence += " (" + "; ".join(notes) + ")"
    return sentence


# --- templates -----------------------------------------------------------------------------


def _unique_template_name(organizer: Organizer, name: str, *, exclude_pk=None) -> None:
    others = Template.objects.for_organizer(organizer).filter(name__iexact=name)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError({"name": [_("A template with this name exists already.")]})


def _placeholder_error(error: templating.TemplateDataError) -> str:
    if error.missing:
        return ngettext(
            "Unknown placeholder: %(names)s. Use only the placeholders listed beside the text.",
            "Unknown placeholders: %(names)s. Use only the placeholders listed beside the text.",
            len(error.missing),
        ) % {"names": ", ".join(f"{{{{ {name} }}}}" for name in error.missing)}
    return _("This text cannot be used as a template: %(error)s") % {"error": error.message}


def clean_texts(
    organizer: Organizer, channel: str, texts: dict[str, tuple[str, str]]
) -> dict[str, tuple[str, str]]:
    """The texts worth keeping, by language: ``{language: (subject, body)}``, stripped, the
    subject dropped for SMS. Raises ``ValidationError`` keyed ``subject_<language>`` /
    ``body_<language>``: the default language is required (with a subject for email), another
    language is all or nothing, every text uses only the placeholders."""
    errors: dict[str, list[str]] = {}
    kept = {}
    sms = channel == Channel.SMS
    default = organizer.default_language
    for language, (subject, body) in texts.items():
        subject = "" if sms else " ".join((subject or "").split())
        body = (body or "").strip()
        if not subject and not body and language != default:
            continue  # this language falls back to the default one
        if not body:
            errors.setdefault(f"body_{language}", []).append(_("Write the text."))
        if not sms and not subject:
            errors.setdefault(f"subject_{language}", []).append(_("An email needs a subject."))
        for field, text in ((f"subject_{language}", subject), (f"body_{language}", body)):
            try:
                templating.check(text)
            except templating.TemplateDataError as e:
                errors.setdefault(field, []).append(_placeholder_error(e))
        kept[language] = (subject, body)
    if errors:
        raise ValidationError(errors)
    return kept


def _save_texts(template: Template, texts: dict[str, tuple[str, str]]) -> list[str]:
    """Store the texts given (languages left out are removed); the languages changed."""
    current = {t.language: t for t in template.texts.all()}
    changed = []
    for language, (subject, body) in texts.items():
        text = current.pop(language, None)
        if text is None:
            TemplateText.objects.create(
                template=template, language=language, subject=subject, body=body
            )
            changed.append(language)
        elif (text.subject, text.body) != (subject, body):
            text.subject, text.body = subject, body
            text.save(update_fields=["subject", "body"])
            changed.append(language)
    for language, text in current.items():
        text.delete()
        changed.append(language)
    return sorted(changed)


@transaction.atomic
def create_template(
    organizer: Organizer,
    *,
    user,
    name: str,
    channel: str,
    with_qr: bool = False,
    texts: dict[str, tuple[str, str]],
) -> Template:
    """A new template with its texts ``{language: (subject, body)}`` (see :func:`clean_texts`)."""
    name = name.strip()
    _unique_template_name(organizer, name)
    kept = clean_texts(organizer, channel, texts)
    template = Template(
        organizer=organizer, name=name, channel=channel, with_qr=with_qr and channel != Channel.SMS
    )
    template.full_clean(exclude=["organizer"], validate_constraints=False)
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as e:  # created meanwhile by someone else
        raise ValidationError({"name": [_("A template with this name exists already.")]}) from e
    _save_texts(template, kept)
    log_action(
        template,
        "seance.template.created",
        user=user,
        data={**snapshot(template, TEMPLATE_FIELDS), "texts": sorted(kept)},
    )
    return template


@transaction.atomic
def update_template(
    template: Template,
    *,
    user,
    name: str,
    channel: str,
    with_qr: bool,
    texts: dict[str, tuple[str, str]],
) -> Template:
    """Change a template's settings and texts. ``texts`` holds the languages edited: a
    language left out keeps its text (one the organizer no longer offers, say); one given
    empty is removed, except the default language, which is required."""
    template = Template.objects.select_for_update().select_related("organizer").get(pk=template.pk)
    organizer = template.organizer
    name = name.strip()
    _unique_template_name(organizer, name, exclude_pk=template.pk)
    kept = clean_texts(organizer, channel, texts)
    before = snapshot(template, TEMPLATE_FIELDS)
    template.name, template.channel = name, channel
    template.with_qr = with_qr and channel != Channel.SMS
    template.full_clean(exclude=["organizer"], validate_constraints=False)
    try:
        with transaction.atomic():
            template.save(update_fields=TEMPLATE_FIELDS)
    except IntegrityError as e:
        raise ValidationError({"name": [_("A template with this name exists already.")]}) from e
    untouched = {
        t.language: (t.subject, t.body) for t in template.texts.all() if t.language not in texts
    }
    changed = _save_texts(template, {**untouched, **kept})
    diff = changes(before, snapshot(template, TEMPLATE_FIELDS))
    if changed:
        diff["texts"] = changed
    if diff:
        log_action(template, "seance.template.changed", user=user, data=diff)
    return template


@transaction.atomic
def delete_template(template: Template, *, user) -> None:
    """Remove a template no rule uses (a plan's message must keep its words)."""
    template = Template.objects.select_for_update().select_related("organizer").get(pk=template.pk)
    used = template.rules.count()
    if used:
        raise PlanError(
            ngettext(
                "“%(name)s” is used by %(count)d rule of a plan: change that rule first.",
                "“%(name)s” is used by %(count)d rules of plans: change those rules first.",
                used,
            )
            % {"name": template.name, "count": used}
        )
    log_action(
        template.organizer,
        "seance.template.deleted",
        user=user,
        data={"template": template.name},
    )
    try:
        with transaction.atomic():
            template.delete()
    except ProtectedError as e:  # a rule added meanwhile
        raise PlanError(_("“%(name)s” is used by a plan now.") % {"name": template.name}) from e


# --- plans and their rules -----------------------------------------------------------------


def _unique_plan_name(organizer: Organizer, name: str, *, exclude_pk=None) -> None:
    others = Plan.objects.for_organizer(organizer).filter(name__iexact=name)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError({"name": [_("A plan with this name exists already.")]})


@transaction.atomic
def create_plan(organizer: Organizer, *, user, name: str) -> Plan:
    name = name.strip()
    _unique_plan_name(organizer, name)
    plan = Plan(organizer=organizer, name=name)
    plan.full_clean(exclude=["organizer"], validate_constraints=False)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as e:
        raise ValidationError({"name": [_("A plan with this name exists already.")]}) from e
    log_action(plan, "seance.plan.created", user=user, data={"name": name})
    return plan


@transaction.atomic
def rename_plan(plan: Plan, *, user, name: str) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    name = name.strip()
    _unique_plan_name(plan.organizer, name, exclude_pk=plan.pk)
    if name != plan.name:
        log_action(plan, "seance.plan.changed", user=user, data={"name": [plan.name, name]})
        plan.name = name
        plan.full_clean(exclude=["organizer"], validate_constraints=False)
        try:
            with transaction.atomic():
                plan.save(update_fields=["name"])
        except IntegrityError as e:
            raise ValidationError({"name": [_("A plan with this name exists already.")]}) from e
    return plan


@transaction.atomic
def delete_plan(plan: Plan, *, user) -> None:
    """Remove a plan no session uses, with its rules."""
    plan = Plan.objects.select_for_update().select_related("organizer").get(pk=plan.pk)
    used = plan.sessions.count()
    if used:
        raise PlanError(
            ngettext(
                "%(count)d session uses “%(name)s”: choose another plan for it first.",
                "%(count)d sessions use “%(name)s”: choose another plan for them first.",
                used,
            )
            % {"name": plan.name, "count": used}
        )
    log_action(plan.organizer, "seance.plan.deleted", user=user, data={"plan": plan.name})
    try:
        with transaction.atomic():
            plan.delete()
    except ProtectedError as e:  # a session chose it meanwhile
        raise PlanError(_("A session uses “%(name)s” now.") % {"name": plan.name}) from e


def _check_rule(rule: Rule, organizer: Organizer) -> None:
    rule.full_clean(exclude=["plan"])
    if rule.template.organizer_id != organizer.pk:
        raise ValidationError({"template": [_("Choose one of your own templates.")]})


def _rule_data(rule: Rule) -> dict[str, Any]:
    return {
        **snapshot(rule, RULE_FIELDS),
        "at_time": rule.at_time.strftime("%H:%M") if rule.at_time else None,
    }


@transaction.atomic
def add_rule(plan: Plan, *, user, **fields: Any) -> Rule:
    """A new message in ``plan``: ``trigger``, ``offset_days`` (-90 to 90), ``at_time`` (or
    None), ``template`` (the organizer's), ``only_without_order``."""
    plan = Plan.objects.select_for_update().select_related("organizer").get(pk=plan.pk)
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"{sorted(unknown)} are not rule fields")
    rule = Rule(plan=plan, **fields)
    _check_rule(rule, plan.organizer)
    rule.save()
    log_action(plan, "seance.plan.rule_added", user=user, data=_rule_data(rule))
    return rule


@transaction.atomic
def update_rule(rule: Rule, *, user, **fields: Any) -> Rule:
    rule = (
        Rule.objects.select_for_update()
        .select_related("plan__organizer", "template")
        .get(pk=rule.pk)
    )
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"{sorted(unknown)} are not rule fields")
    before = _rule_data(rule)
    for name, value in fields.items():
        setattr(rule, name, value)
    _check_rule(rule, rule.plan.organizer)
    rule.save()
    diff = changes(before, _rule_data(rule))
    if diff:
        log_action(
            rule.plan,
            "seance.plan.rule_changed",
            user=user,
            data={"rule": describe_rule(rule), **diff},
        )
    return rule


@transaction.atomic
def remove_rule(rule: Rule, *, user) -> None:
    rule = Rule.objects.select_related("plan", "template").get(pk=rule.pk)
    log_action(rule.plan, "seance.plan.rule_removed", user=user, data={"rule": describe_rule(rule)})
    rule.delete()
