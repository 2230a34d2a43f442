"""Back-office forms: they validate input and never write; the views call services."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from seance.catalog.models import PriceProfile, Product, ProductKind
from seance.comms.models import Plan
from seance.core.models import Membership, Organizer, Role
from seance.photos import imaging
from seance.photos.models import Segment, Session, SessionStatus, Sponsor
from seance.photos.services import SESSION_FIELDS, SPONSOR_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def check_watermark_upload(upload) -> None:
    """P10: a logo that Pillow can open safely; anything else is refused with a reason."""
    if not upload:
        return
    upload.seek(0)
    try:
        imaging.open_mark(upload.read(imaging.MAX_MARK_BYTES + 1))
    except imaging.ImagingError as e:
        reason = {
            "too_large": _("The image is too large: at most 2 MB and 2000 × 2000 pixels."),
            "format": _("Use a PNG, JPEG or WebP image."),
        }.get(str(e), _("This file is not a readable image."))
        raise ValidationError(reason, code="invalid_image") from e
    finally:
        upload.seek(0)


class PrivateFileInput(forms.ClearableFileInput):
    """Names the current file without linking to it: uploads are not served publicly."""

    template_name = "backoffice/widgets/file_input.html"


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = SESSION_FIELDS
        widgets = {
            "shooting_date": DateInput(),
            "discount_until": DateInput(),
            "archive_on": DateInput(),
            "watermark_opacity": forms.NumberInput(attrs={"type": "range", "min": 5, "max": 100}),
            "watermark_image": PrivateFileInput(
                attrs={"accept": "image/png,image/jpeg,image/webp"}
            ),
        }

    # Grouped as the seeds present them: the session, then its settings.
    main_fields = ["name", "shooting_date", "segment", "expected_subjects", "reference", "sponsor"]
    access_fields = ["access_type", "code_source", "registration", "language"]
    sales_fields = [
        "price_profile",
        "discount_kind",
        "discount_value",
        "discount_until",
        "archive_on",
    ]
    discount_fields = ["discount_kind", "discount_value", "discount_until"]
    message_fields = ["plan"]
    watermark_fields = [
        "watermark_kind",
        "watermark_text",
        "watermark_image",
        "watermark_position",
        "watermark_opacity",
    ]

    def __init__(self, *args, organizer: Organizer, can_discount: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.for_organizer(organizer)
        self.fields["sponsor"].queryset = Sponsor.objects.for_organizer(organizer)
        self.fields["price_profile"].queryset = PriceProfile.objects.for_organizer(organizer)
        # P9: the organizer's plans only; a foreign id is "not one of the choices" (X1).
        self.fields["plan"].queryset = Plan.objects.for_organizer(organizer)
        self.fields["plan"].empty_label = _("— none: no automatic messages —")
        self.fields["plan"].help_text = _(
            "Which emails and SMS families get around the sale, and when."
        )
        if not can_discount:
            # A discount changes prices: only who may edit prices sets it (X1).
            for name in self.discount_fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Set by whoever manages prices.")
        self.fields["price_profile"].empty_label = _("— none yet —")
        self.fields["discount_value"].widget.attrs["min"] = "0"
        self.fields["expected_subjects"].widget.attrs["min"] = "0"

    def follow_segment_defaults(self, url: str) -> None:
        """P3, new sessions: choosing a segment reloads the settings with its defaults (htmx)."""
        segment = self.fields["segment"]
        segment.help_text = _(
            "A new session starts with the settings of the latest session of its segment."
        )
        reload = {
            "hx-get": url,
            "hx-trigger": "change",
            # Everything typed so far, but not the CSRF token (it would land in access logs).
            "hx-include": "#session-form [name]:not([name=csrfmiddlewaretoken]):not([type=file])",
            "hx-select": "#session-settings",
            "hx-target": "#session-settings",
            "hx-swap": "outerHTML",
        }
        segment.widget.attrs.update({**reload, "hx-vals": '{"changed": "segment"}'})
        # Milestone dates copied from the segment follow the shooting date.
        self.fields["shooting_date"].widget.attrs.update(
            {**reload, "hx-vals": '{"changed": "shooting_date"}'}
        )

    def clean_watermark_image(self):
        upload = self.cleaned_data.get("watermark_image")
        if upload and hasattr(upload, "content_type"):
            check_watermark_upload(upload)
        return upload

    def main_group(self):
        return [self[f] for f in self.main_fields]

    def settings_groups(self):
        """P3–P10: what segment defaults fill in, and what the watermark preview follows."""
        return [
            (_("Access"), [self[f] for f in self.access_fields]),
            (_("Prices and milestones"), [self[f] for f in self.sales_fields]),
            (_("Messages"), [self[f] for f in self.message_fields]),
        ]

    def watermark_group(self):
        return [self[f] for f in self.watermark_fields]


class WatermarkPreviewForm(forms.Form):
    """The watermark fields alone, as the live preview posts them."""

    watermark_kind = forms.CharField(required=False)
    watermark_text = forms.CharField(required=False, max_length=100)
    watermark_position = forms.CharField(required=False)
    watermark_opacity = forms.IntegerField(required=False, min_value=5, max_value=100)
    watermark_image = forms.FileField(required=False)

    def clean_watermark_image(self):
        upload = self.cleaned_data.get("watermark_image")
        check_watermark_upload(upload)
        return upload


class SessionFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label=_("Search"),
        widget=forms.SearchInput(attrs={"placeholder": _("Name or reference")}),
    )
    status = forms.ChoiceField(
        required=False, choices=[("", _("All statuses")), *SessionStatus.choices]
    )
    segment = forms.ModelChoiceField(
        required=False, queryset=Segment.objects.none(), empty_label=_("All segments")
    )
    sponsor = forms.ModelChoiceField(
        required=False, queryset=Sponsor.objects.none(), empty_label=_("All sponsors")
    )
    date_from = forms.DateField(required=False, label=_("Shot from"), widget=DateInput())
    date_to = forms.DateField(required=False, label=_("Shot until"), widget=DateInput())

    def __init__(self, *args, organizer: Organizer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.for_organizer(organizer)
        self.fields["sponsor"].queryset = Sponsor.objects.for_organizer(organizer)

    def filters(self) -> dict:
        """The valid filters, ignoring a broken one rather than failing the whole list."""
        if not self.is_bound or (not self.is_valid() and not hasattr(self, "cleaned_data")):
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class SponsorForm(forms.ModelForm):
    class Meta:
        model = Sponsor
        fields = SPONSOR_FIELDS
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, can_share_sales: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_share_sales:
            # S1: showing sales to an outside party is for who may see and export them.
            self.fields["may_see_sales"].disabled = True
            self.fields["may_see_sales"].help_text = _("Granted by an owner or a manager.")


class InlineSponsorForm(SponsorForm):
    """P2: from the session form, only what is needed to go on; the rest later."""

    prefix = "sponsor"

    class Meta(SponsorForm.Meta):
        fields = ["name", "contact_name", "contact_email", "may_see_sales"]


class SegmentForm(forms.ModelForm):
    class Meta:
        model = Segment
        fields = ["name"]


class PriceProfileForm(forms.ModelForm):
    class Meta:
        model = PriceProfile
        fields = ["name"]


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["kind", "name", "price", "width_cm", "height_cm", "position", "is_active"]
        widgets = {
            "price": forms.NumberInput(attrs={"min": "0", "step": "0.01"}),
            "width_cm": forms.NumberInput(attrs={"min": "0", "step": "0.1"}),
            "height_cm": forms.NumberInput(attrs={"min": "0", "step": "0.1"}),
        }


class PackageItemsForm(forms.Form):
    """One quantity field per print or file of the profile; 0 leaves it out of the package."""

    def __init__(self, *args, package: Product, **kwargs):
        super().__init__(*args, **kwargs)
        current = {item.product_id: item.quantity for item in package.items.all()}
        self.products = list(
            package.profile.products.exclude(kind=ProductKind.PACKAGE).order_by("position", "id")
        )
        for product in self.products:
            self.fields[f"qty_{product.pk}"] = forms.IntegerField(
                label=str(product),
                min_value=0,
                max_value=99,
                initial=current.get(product.pk, 0),
            )

    def items(self) -> list[tuple[Product, int]]:
        return [
            (p, self.cleaned_data[f"qty_{p.pk}"])
            for p in self.products
            if self.cleaned_data[f"qty_{p.pk}"]
        ]


class TeamMemberForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    name = forms.CharField(label=_("Name"), required=False, max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.ASSISTANT)


class RoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]


class OrganizerForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Languages offered to customers."),
    )

    class Meta:
        model = Organizer
        fields = [
            "name",
            "slug",
            "currency",
            "timezone",
            "languages",
            "cards_per_page",
            "bank_transfer_details",
            "pickup_allowed",
        ]
        widgets = {"bank_transfer_details": forms.Textarea(attrs={"rows": 4})}


class AddCardsForm(forms.Form):
    count = forms.IntegerField(label=_("Number of cards"), min_value=1, max_value=2000)


class NamesListForm(forms.Form):
    names_list = forms.FileField(
        label=_("Names list (CSV or XLSX)"),
        help_text=_(
            "First row: the column names — first name, last name, class, parent email "
            "(prénom, nom, classe, email). One card per pupil, with the name printed."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class PrintCardsForm(forms.Form):
    which = forms.ChoiceField(
        label=_("Cards"),
        choices=[
            ("unprinted", _("Not printed yet")),
            ("all", _("All active cards")),
            ("numbers", _("These numbers")),
        ],
        initial="unprinted",
    )
    numbers = forms.CharField(
        label=_("Numbers"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "12, 15-18"}),
    )
    per_page = forms.TypedChoiceField(
        label=_("Per A4 sheet"), choices=[(2, "2"), (4, "4")], coerce=int, initial=2
    )


class AgreementForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Agreement text"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=1200,
        help_text=_(
            "Printed on the part of each QR card the photographer keeps, and accepted online "
            "by parents who pre-register. Each change makes a new version; every consent "
            "records the version it was given to."
        ),
    )
