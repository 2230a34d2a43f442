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


class GalleryRegistrationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your email"))
    agreement = forms.IntegerField(widget=forms.HiddenInput)
    consent = forms.BooleanField(
        label=_("I have read the agreement above and I accept it."), required=True
    )
