from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Access code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "XXXX-XXXX-XXXX",
                "inputmode": "text",
            }
        ),
    )


class NotifyForm(forms.Form):
    email = forms.EmailField(label=_("Your email"))


class PreRegistrationForm(forms.Form):
    child_first_name = forms.CharField(label=_("Child's first name"), max_length=100)
    child_last_name = forms.CharField(label=_("Child's last name"), max_length=100)
    class_name = forms.CharField(label=_("Class"), max_length=50, required=False)
    email = forms.EmailField(label=_("Your email"))
    phone = forms.CharField(
        label=_("Your phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    agreement = forms.IntegerField(widget=forms.HiddenInput)
    consent = forms.BooleanField(
        label=_("I have read the agreement above and I accept it."), required=True
    )
    reminders = forms.BooleanField(
        label=_("Also remind me of deadlines and offers for these photos (you can stop them)."),
        required=False,
    )


class GalleryRegistrationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your email"))
    agreement = forms.IntegerField(widget=forms.HiddenInput)
    consent = forms.BooleanField(
        label=_("I have read the agreement above and I accept it."), required=True
    )
    reminders = forms.BooleanField(
        label=_("Also remind me of deadlines and offers for these photos (you can stop them)."),
        required=False,
    )


class CheckoutForm(forms.Form):
    """O1: the buyer, where prints go (when there are any), and how they pay."""

    DELIVERY = [("post", _("Send them to my address")), ("pickup", _("I collect them at school"))]

    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your email"), help_text=_("Your order and your download links are sent here.")
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=30, required=False)
    delivery = forms.ChoiceField(
        label=_("Prints"), choices=DELIVERY, widget=forms.RadioSelect, initial="post"
    )
    delivery_address = forms.CharField(
        label=_("Delivery address"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    payment_method = forms.ChoiceField(label=_("Payment"), widget=forms.RadioSelect)

    def __init__(self, *args, methods, needs_delivery: bool, pickup_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_delivery = needs_delivery
        if not (needs_delivery and pickup_allowed):
            del self.fields["delivery"]
        if not needs_delivery:
            del self.fields["delivery_address"]
        if methods:
            self.fields["payment_method"].choices = [(m.name, m.label) for m in methods]
            if len(methods) == 1:
                self.fields["payment_method"].initial = methods[0].name
        else:  # a free order, or none offered (the page says so)
            del self.fields["payment_method"]

    def clean(self):
        data = super().clean()
        if (
            self.needs_delivery
            and data.get("delivery", "post") == "post"
            and not data.get("delivery_address", "").strip()
        ):
            self.add_error("delivery_address", _("Where should we send the prints?"))
        return data
