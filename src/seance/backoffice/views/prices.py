"""Price profiles and their products (P7).

Seeing them needs ``view_prices``; changing them, ``manage_prices``.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seance.backoffice.forms import PackageItemsForm, PriceProfileForm, ProductForm
from seance.backoffice.views.base import apply_errors, staff_view
from seance.catalog import queries, services
from seance.catalog.models import PriceProfile, Product, ProductKind
from seance.core import permissions as perms
from seance.core.audit import entries_for


def _profile(request, pk) -> PriceProfile:
    return get_object_or_404(PriceProfile.objects.for_organizer(request.organizer), pk=pk)


def _product(request, profile_pk, pk) -> Product:
    return get_object_or_404(
        Product.objects.for_organizer(request.organizer).select_related("profile"),
        profile_id=profile_pk,
        pk=pk,
    )


@staff_view(perms.VIEW_PRICES)
def profile_list(request):
    return render(
        request,
        "backoffice/prices/list.html",
        {"profiles": queries.price_profiles_for(request.organizer)},
    )


@staff_view(perms.MANAGE_PRICES)
def profile_create(request):
    form = PriceProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.create_price_profile(
                request.organizer, user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Price profile created; now add its products."))
            return redirect("backoffice:profile_detail", profile=profile.pk)
    return render(request, "backoffice/prices/profile_form.html", {"form": form})


@staff_view(perms.VIEW_PRICES)
def profile_detail(request, profile):
    profile = _profile(request, profile)
    return render(
        request,
        "backoffice/prices/detail.html",
        {
            "profile": profile,
            "products": queries.products_of(profile),
            "sessions": profile.sessions.order_by("-shooting_date")[:50],
            "log": entries_for(profile)[:100],
        },
    )


@staff_view(perms.MANAGE_PRICES)
def profile_edit(request, profile):
    profile = _profile(request, profile)
    form = PriceProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.rename_price_profile(
                profile, user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Price profile saved."))
            return redirect("backoffice:profile_detail", profile=profile.pk)
    return render(
        request, "backoffice/prices/profile_form.html", {"form": form, "profile": profile}
    )


@staff_view(perms.MANAGE_PRICES)
def product_create(request, profile):
    profile = _profile(request, profile)
    form = ProductForm(
        request.POST or None, initial={"kind": request.GET.get("kind", ProductKind.PRINT)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            product = services.add_product(profile, user=request.user, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Product “%s” added.") % product.name)
            if product.kind == ProductKind.PACKAGE:
                return redirect("backoffice:package_items", profile=profile.pk, product=product.pk)
            return redirect("backoffice:profile_detail", profile=profile.pk)
    return render(
        request, "backoffice/prices/product_form.html", {"form": form, "profile": profile}
    )


@staff_view(perms.MANAGE_PRICES)
def product_edit(request, profile, product):
    product = _product(request, profile, product)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_product(product, user=request.user, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Product “%s” saved.") % product.name)
            return redirect("backoffice:profile_detail", profile=product.profile_id)
    return render(
        request,
        "backoffice/prices/product_form.html",
        {"form": form, "profile": product.profile, "product": product},
    )


@staff_view(perms.MANAGE_PRICES)
@require_POST
def product_delete(request, profile, product):
    product = _product(request, profile, product)
    try:
        services.remove_product(product, user=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Product “%s” removed.") % product.name)
    return redirect("backoffice:profile_detail", profile=product.profile_id)


@staff_view(perms.MANAGE_PRICES)
def package_items(request, profile, product):
    package = _product(request, profile, product)
    if package.kind != ProductKind.PACKAGE:
        return redirect("backoffice:product_edit", profile=package.profile_id, product=package.pk)
    form = PackageItemsForm(request.POST or None, package=package)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_package_items(package, user=request.user, items=form.items())
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Package contents saved."))
            return redirect("backoffice:profile_detail", profile=package.profile_id)
    return render(
        request,
        "backoffice/prices/package_form.html",
        {"form": form, "profile": package.profile, "package": package},
    )
