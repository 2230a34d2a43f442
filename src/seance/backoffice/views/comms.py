"""Message templates and communication plans (P9, Q4) in the back office.

Both are part of running sessions: whoever manages sessions (assistants included) manages
them. Each template is previewed with a real session's data, so a placeholder with nothing
to fill it (a deadline on a session without discount) is seen here, not by a family.
"""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from seance.backoffice.views.base import apply_errors, staff_view
from seance.comms import plans, schedule, templating
from seance.comms.defaults import install_defaults
from seance.comms.models import SUBJECT_MAX_LENGTH, Channel, Plan, Rule, Template, Trigger
from seance.core import permissions as perms
from seance.core.audit import entries_for
from seance.core.models import Organizer
from seance.photos import messaging
from seance.photos.models import Gallery, GalleryRegistration, PreRegistration, Session

LANGUAGE_NAMES = dict(settings.LANGUAGES)
MAX_PREVIEW_SESSIONS = 100  # the latest sessions with galleries, offered for the preview
SMS_SEGMENT = 160  # characters of one SMS (GSM alphabet); longer texts are sent in parts


def organizer_languages(organizer: Organizer) -> list[str]:
    """The organizer's languages, the default first (never none)."""
    return list(organizer.languages) or [organizer.default_language]


# --- forms -----------------------------------------------------------------------------------


class TemplateForm(forms.Form):
    """Name, channel, and one subject and text per language of the organizer."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    channel = forms.ChoiceField(
        label=gettext_lazy("Sent by"), choices=Channel.choices, widget=forms.RadioSelect
    )
    with_qr = forms.BooleanField(
        label=gettext_lazy("Attach the family's QR code (email)"),
        required=False,
        help_text=gettext_lazy("The card's QR code as an image, to scan at home."),
    )

    def __init__(self, *args, organizer: Organizer, template: Template | None = None, **kwargs):
        self.organizer = organizer
        self.languages = organizer_languages(organizer)
        initial = kwargs.pop("initial", None) or {}
        if template is not None:
            initial.update(name=template.name, channel=template.channel, with_qr=template.with_qr)
            for text in template.texts.all():
                initial[f"subject_{text.language}"] = text.subject
                initial[f"body_{text.language}"] = text.body
        initial.setdefault("channel", Channel.EMAIL)
        super().__init__(*args, initial=initial, **kwargs)
        default = self.languages[0]
        for language in self.languages:
            self.fields[f"subject_{language}"] = forms.CharField(
                label=_("Subject"),
                required=False,
                max_length=SUBJECT_MAX_LENGTH,
                widget=forms.TextInput(attrs={"data-language": language}),
            )
            self.fields[f"body_{language}"] = forms.CharField(
                label=_("Text"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 9, "data-language": language}),
                help_text=None
                if language == default
                else _("Leave empty to send the %(language)s text to these families.")
                % {"language": LANGUAGE_NAMES.get(default, default)},
            )

    def language_groups(self):
        """(language code, its name, whether it is the default, subject field, body field)."""
        return [
            (
                language,
                LANGUAGE_NAMES.get(language, language),
                i == 0,
                self[f"subject_{language}"],
                self[f"body_{language}"],
            )
            for i, language in enumerate(self.languages)
        ]

    def texts(self) -> dict[str, tuple[str, str]]:
        """``{language: (subject, body)}``: cleaned once valid, else as typed (the preview)."""
        data = getattr(self, "cleaned_data", None)
        if data is None or self.errors:
            return {
                language: (
                    self[f"subject_{language}"].value() or "",
                    self[f"body_{language}"].value() or "",
                )
                for language in self.languages
            }
        return {
            language: (data.get(f"subject_{language}", ""), data.get(f"body_{language}", ""))
            for language in self.languages
        }

    def clean(self):
        data = super().clean()
        if self.errors.get("channel"):
            return data
        try:
            plans.clean_texts(self.organizer, data.get("channel"), self.texts())
        except ValidationError as e:
            apply_errors(self, e)
        return data


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["name"]


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = ["trigger", "offset_days", "at_time", "template", "only_without_order"]
        widgets = {"at_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
        labels = {"offset_days": gettext_lazy("Days")}
        help_texts = {"offset_days": gettext_lazy("From -90 to 90: -3 is three days before.")}

    def __init__(self, *args, organizer: Organizer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trigger"].choices = Trigger.choices  # in time order, no blank
        # X1: only the organizer's templates; a foreign id is "not one of the choices".
        self.fields["template"].queryset = Template.objects.for_organizer(organizer)
        self.fields["template"].empty_label = _("— choose a template —")
        self.fields["template"].label_from_instance = lambda t: (
            f"{t.name} ({t.get_channel_display()})"
        )
        self.fields["offset_days"].widget.attrs.update({"min": -90, "max": 90})


class PreviewForm(forms.Form):
    """Which real family a template is tried on: a session of the organizer (with galleries),
    one of its galleries, a language."""

    session = forms.ModelChoiceField(
        label=gettext_lazy("Session"), queryset=Session.objects.none(), required=False
    )
    gallery = forms.ModelChoiceField(
        label=gettext_lazy("Gallery"), queryset=Gallery.objects.none(), required=False
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)

    def __init__(self, *args, organizer: Organizer, **kwargs):
        super().__init__(*args, **kwargs)
        latest = (
            Session.objects.for_organizer(organizer)
            .filter(Exists(Gallery.objects.filter(session=OuterRef("pk"))))
            .order_by("-shooting_date", "-id")
            .values_list("pk", flat=True)[:MAX_PREVIEW_SESSIONS]
        )
        self.fields["session"].queryset = (
            Session.objects.for_organizer(organizer)
            .filter(pk__in=list(latest))
            .select_related("organizer")
            .order_by("-shooting_date", "-id")
        )
        self.fields["session"].empty_label = None
        languages = organizer_languages(organizer)
        self.fields["language"].choices = [(c, LANGUAGE_NAMES.get(c, c)) for c in languages]
        session = self._chosen_session()
        if session is not None:
            self.fields["gallery"].queryset = _galleries_of(session)
            self.fields["gallery"].label_from_instance = _gallery_label
            self.fields["gallery"].empty_label = _("Automatic: the first with a registered family")
        else:
            self.fields["gallery"].widget = forms.HiddenInput()

    def _chosen_session(self) -> Session | None:
        queryset = self.fields["session"].queryset
        value = self.data.get("session") if self.is_bound else None
        if value and str(value).isdigit():
            found = next((s for s in queryset if s.pk == int(value)), None)
            if found is not None:
                return found
        return next(iter(queryset), None)

    def choice(self) -> tuple[Session | None, Gallery | None, str]:
        """The session, gallery and language to preview with: what was chosen if valid,
        else the latest session's first gallery with a registered family."""
        data = {}
        if self.is_bound:
            self.is_valid()  # a choice that is not valid (a gallery of another session) is
            data = self.cleaned_data  # left out of cleaned_data, the others are kept
        session = self._chosen_session()
        language = data.get("language") or self.fields["language"].choices[0][0]
        if session is None:
            return None, None, language
        gallery = data.get("gallery")
        if gallery is None or gallery.session_id != session.pk:
            galleries = _galleries_of(session)
            gallery = galleries.filter(has_family=True).first() or galleries.first()
        return session, gallery, language


def _galleries_of(session: Session):
    return (
        Gallery.objects.filter(session=session)
        .select_related("access_code", "card__pre_registration", "session__organizer")
        .annotate(
            has_family=Exists(PreRegistration.objects.filter(card__gallery=OuterRef("pk")))
            | Exists(GalleryRegistration.objects.filter(gallery=OuterRef("pk")))
        )
        .order_by("id")
    )


def _gallery_label(gallery: Gallery) -> str:
    name = gallery.name or (gallery.card.subject_name if gallery.card else "")
    label = f"{name} · {gallery.access_code}" if name else str(gallery.access_code)
    if getattr(gallery, "has_family", False):
        label += " · " + _("registered")
    return label


# --- preview ---------------------------------------------------------------------------------


@dataclass
class Preview:
    session: Session | None = None
    gallery: Gallery | None = None
    recipient: messaging.Recipient | None = None
    made_up: bool = False  # nobody registered: a family invented from the card
    language: str = ""  # of the text shown: the one asked for, or the default one
    asked_language: str = ""
    subject: str = ""
    body: str = ""
    error: str = ""
    missing: tuple[str, ...] = ()
    empty: bool = False  # no text written yet


def build_preview(
    organizer: Organizer,
    *,
    channel: str,
    texts: dict[str, tuple[str, str]],
    session: Session | None,
    gallery: Gallery | None,
    language: str,
) -> Preview:
    """The template as the gallery's first family would get it, or the error that would
    stop it being sent. Never raises for a template's content."""
    preview = Preview(session=session, gallery=gallery, language=language, asked_language=language)
    if session is None or gallery is None:
        return preview
    found = messaging.recipients(gallery)
    if found:
        recipient = found[0]
        preview.recipient = recipient
    else:
        card = gallery.card
        name = (card.first_name if card else "") or gallery.name or _("Alex")
        recipient = messaging.Recipient(
            email="", phone="", name=name, language=language, reminders=False
        )
        preview.recipient, preview.made_up = recipient, True
    # As sent: the family's language if the template has it, else the organizer's default.
    subject, body = texts.get(language) or ("", "")
    if not body.strip():
        preview.language = organizer.default_language
        subject, body = texts.get(organizer.default_language) or ("", "")
    if not body.strip():
        preview.empty = True
        return preview
    # An empty value (no deadline without a discount) is an error, as a missing one
    # (templating.render): the preview says so rather than show "until .".
    context = messaging.context_for(session, gallery, recipient, preview.language)
    try:
        preview.body = templating.render(body, context)
        if channel != Channel.SMS:
            preview.subject = templating.render(subject, context)
    except templating.TemplateDataError as e:
        preview.error, preview.missing = e.message, tuple(e.missing)
    return preview


# --- templates -------------------------------------------------------------------------------


def _template(request, pk) -> Template:
    return get_object_or_404(Template.objects.for_organizer(request.organizer), pk=pk)


def _editor_context(request, form, template=None, preview_form=None):
    organizer = request.organizer
    preview_form = preview_form or PreviewForm(request.GET or None, organizer=organizer)
    session, gallery, language = preview_form.choice()
    texts = form.texts()
    channel = form["channel"].value() or Channel.EMAIL
    return {
        "form": form,
        "template": template,
        "placeholders": templating.PLACEHOLDERS,
        "preview_form": preview_form,
        "preview": build_preview(
            organizer,
            channel=channel,
            texts=texts,
            session=session,
            gallery=gallery,
            language=language,
        ),
        "channel": channel,
        "sms_segment": SMS_SEGMENT,
    }


@staff_view(perms.MANAGE_SESSIONS)
def template_list(request):
    return render(
        request,
        "backoffice/comms/template_list.html",
        {"templates": plans.templates_for(request.organizer)},
    )


@staff_view(perms.MANAGE_SESSIONS)
def template_create(request):
    initial = {}
    if request.GET.get("channel") in Channel.values:
        initial["channel"] = request.GET["channel"]
    form = TemplateForm(request.POST or None, organizer=request.organizer, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            template = plans.create_template(
                request.organizer, user=request.user, **_template_fields(form)
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Template “%s” created.") % template.name)
            return redirect("backoffice:template_detail", template=template.pk)
    return render(request, "backoffice/comms/template_form.html", _editor_context(request, form))


@staff_view(perms.MANAGE_SESSIONS)
def template_detail(request, template):
    """The template's editor: its texts, the placeholders, and a preview with real data."""
    template = _template(request, template)
    form = TemplateForm(request.POST or None, organizer=request.organizer, template=template)
    if request.method == "POST" and form.is_valid():
        try:
            plans.update_template(template, user=request.user, **_template_fields(form))
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Template “%s” saved.") % template.name)
            return redirect("backoffice:template_detail", template=template.pk)
    context = _editor_context(request, form, template)
    context["plans"] = (
        Plan.objects.filter(rules__template=template).annotate(uses=Count("rules")).order_by("name")
    )
    context["log"] = entries_for(template)[:50]
    return render(request, "backoffice/comms/template_form.html", context)


@staff_view(perms.MANAGE_SESSIONS)
def template_preview(request):
    """htmx: the preview panel for the editor's current (unsaved) texts."""
    params = request.POST if request.method == "POST" else request.GET
    form = TemplateForm(params, organizer=request.organizer)
    preview_form = PreviewForm(params, organizer=request.organizer)
    return render(
        request,
        "backoffice/comms/_preview.html",
        _editor_context(request, form, preview_form=preview_form),
    )


@staff_view(perms.MANAGE_SESSIONS)
@require_POST
def template_delete(request, template):
    template = _template(request, template)
    try:
        plans.delete_template(template, user=request.user)
    except plans.PlanError as e:
        messages.error(request, e.message)
        return redirect("backoffice:template_detail", template=template.pk)
    messages.success(request, _("Template “%s” deleted.") % template.name)
    return redirect("backoffice:template_list")


# --- plans -----------------------------------------------------------------------------------


def _plan(request, pk) -> Plan:
    return get_object_or_404(Plan.objects.for_organizer(request.organizer), pk=pk)


def _rule(request, plan_pk, pk) -> Rule:
    return get_object_or_404(
        Rule.objects.filter(plan__organizer=request.organizer).select_related("plan", "template"),
        plan_id=plan_pk,
        pk=pk,
    )


@staff_view(perms.MANAGE_SESSIONS)
@require_POST
def install_default_messages(request):
    """P9: the ready-made templates (English and French, the QR-code ones included) and the
    school plan; what exists already is left as it is."""
    plan = install_defaults(request.organizer, user=request.user)
    messages.success(
        request, _("The default templates and the plan “%(plan)s” are ready.") % {"plan": plan}
    )
    return redirect("backoffice:plan_detail", plan=plan.pk)


@staff_view(perms.MANAGE_SESSIONS)
def plan_list(request):
    return render(
        request,
        "backoffice/comms/plan_list.html",
        {
            "plans": plans.plans_for(request.organizer),
            "template_count": Template.objects.for_organizer(request.organizer).count(),
        },
    )


@staff_view(perms.MANAGE_SESSIONS)
def plan_create(request):
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = plans.create_plan(
                request.organizer, user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Plan created; now add its messages."))
            return redirect("backoffice:plan_detail", plan=plan.pk)
    return render(request, "backoffice/comms/plan_form.html", {"form": form})


@staff_view(perms.MANAGE_SESSIONS)
def plan_detail(request, plan):
    plan = _plan(request, plan)
    rules = plans.rules_in_order(plan)
    return render(
        request,
        "backoffice/comms/plan_detail.html",
        {
            "plan": plan,
            "rules": [(rule, plans.describe_rule(rule)) for rule in rules],
            "sessions": plan.sessions.order_by("-shooting_date", "-id")[:50],
            "session_count": plan.sessions.count(),
            "has_templates": Template.objects.for_organizer(request.organizer).exists(),
            "log": entries_for(plan)[:100],
        },
    )


@staff_view(perms.MANAGE_SESSIONS)
def plan_edit(request, plan):
    plan = _plan(request, plan)
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            plans.rename_plan(plan, user=request.user, name=form.cleaned_data["name"])
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Plan saved."))
            return redirect("backoffice:plan_detail", plan=plan.pk)
    return render(request, "backoffice/comms/plan_form.html", {"form": form, "plan": plan})


@staff_view(perms.MANAGE_SESSIONS)
@require_POST
def plan_delete(request, plan):
    plan = _plan(request, plan)
    try:
        plans.delete_plan(plan, user=request.user)
    except plans.PlanError as e:
        messages.error(request, e.message)
        return redirect("backoffice:plan_detail", plan=plan.pk)
    messages.success(request, _("Plan “%s” deleted.") % plan.name)
    return redirect("backoffice:plan_list")


def _template_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in plans.TEMPLATE_FIELDS} | {
        "texts": form.texts()
    }


def _rule_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in plans.RULE_FIELDS}


@staff_view(perms.MANAGE_SESSIONS)
def rule_create(request, plan):
    plan = _plan(request, plan)
    form = RuleForm(request.POST or None, organizer=request.organizer)
    if request.method == "POST" and form.is_valid():
        try:
            rule = plans.add_rule(plan, user=request.user, **_rule_fields(form))
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Added: %s.") % plans.describe_rule(rule))
            return redirect("backoffice:plan_detail", plan=plan.pk)
    return render(
        request,
        "backoffice/comms/rule_form.html",
        {"form": form, "plan": plan, "date_trigger_time": schedule.DATE_TRIGGER_TIME},
    )


@staff_view(perms.MANAGE_SESSIONS)
def rule_edit(request, plan, rule):
    rule = _rule(request, plan, rule)
    form = RuleForm(request.POST or None, instance=rule, organizer=request.organizer)
    if request.method == "POST" and form.is_valid():
        try:
            rule = plans.update_rule(rule, user=request.user, **_rule_fields(form))
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Saved: %s.") % plans.describe_rule(rule))
            return redirect("backoffice:plan_detail", plan=rule.plan_id)
    return render(
        request,
        "backoffice/comms/rule_form.html",
        {
            "form": form,
            "plan": rule.plan,
            "rule": rule,
            "date_trigger_time": schedule.DATE_TRIGGER_TIME,
        },
    )


@staff_view(perms.MANAGE_SESSIONS)
@require_POST
def rule_delete(request, plan, rule):
    rule = _rule(request, plan, rule)
    plans.remove_rule(rule, user=request.user)
    messages.success(request, _("Rule removed."))
    return redirect("backoffice:plan_detail", plan=rule.plan_id)


def session_schedule(session: Session) -> list[dict]:
    """P9, Q4: the session page's "Messages": each rule of its plan with its date (in the
    organizer's time zone, active in staff views) or why it has none yet, in time order."""
    now = timezone.now()
    rows = [
        {
            "rule": rule,
            "sentence": plans.describe_rule(rule),
            "due": due,
            "past": due is not None and due < now,
        }
        for rule, due in messaging.schedule_for(session)
    ]
    rows.sort(
        key=lambda row: (row["due"] is None, row["due"] or 0, plans.rule_sort_key(row["rule"]))
    )
    return rows
