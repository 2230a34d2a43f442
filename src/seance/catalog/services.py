"""Every write on price profiles and their products (P7), audited on the profile."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from seance.catalog.models import PackageItem, PriceProfile, Product, ProductKind
from seance.core.audit import changes, log_action, snapshot
from seance.core.models import Organizer

PRODUCT_FIELDS = ["kind", "name", "price", "width_cm", "height_cm", "position", "is_active"]


def _check_unique_name(organizer: Organizer, name: str, *, exclude_pk=None) -> None:
    others = PriceProfile.objects.for_organizer(organizer).filter(name__iexact=name)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError({"name": [_("A price profile with this name exists already.")]})


@transaction.atomic
def create_price_profile(organizer: Organizer, *, user, name: str) -> PriceProfile:
    name = name.strip()
    _check_unique_name(organizer, name)
    try:
        with transaction.atomic():
            profile = PriceProfile.objects.create(organizer=organizer, name=name)
    except IntegrityError as e:  # created meanwhile by someone else
        raise ValidationError(
            {"name": [_("A price profile with this name exists already.")]}
        ) from e
    log_action(profile, "seance.price_profile.created", user=user, data={"name": name})
    return profile


@transaction.atomic
def rename_price_profile(profile: PriceProfile, *, user, name: str) -> PriceProfile:
    name = name.strip()
    _check_unique_name(profile.organizer, name, exclude_pk=profile.pk)
    if name != profile.name:
        log_action(
            profile, "seance.price_profile.changed", user=user, data={"name": [profile.name, name]}
        )
        profile.name = name
        try:
            with transaction.atomic():
                profile.save(update_fields=["name"])
        except IntegrityError as e:
            raise ValidationError(
                {"name": [_("A price profile with this name exists already.")]}
            ) from e
    return profile


def _clean_product(product: Product) -> None:
    product.full_clean(exclude=["profile"])
    errors: dict[str, list[str]] = {}
    if product.kind == ProductKind.PRINT:
        for field in ("width_cm", "height_cm"):
            value = getattr(product, field)
            if value is None or value <= 0:
                errors.setdefault(field, []).append(_("A print needs its size."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_product(profile: PriceProfile, *, user, **fields: Any) -> Product:
    """Add a print size, a digital file or a package to ``profile``; prices are never negative."""
    if "position" not in fields:
        fields["position"] = profile.products.count() + 1
    product = Product(profile=profile, **fields)
    if product.kind != ProductKind.PRINT:
        product.width_cm = product.height_cm = None
    _clean_product(product)
    product.save()
    log_action(
        profile,
        "seance.price_profile.product_added",
        user=user,
        data={"product": product.name, **snapshot(product, PRODUCT_FIELDS)},
    )
    return product


@transaction.atomic
def update_product(product: Product, *, user, **fields: Any) -> Product:
    product = Product.objects.select_for_update().select_related("profile").get(pk=product.pk)
    before = snapshot(product, PRODUCT_FIELDS)
    for name, value in fields.items():
        if name not in PRODUCT_FIELDS:
            raise TypeError(f"{name} is not a product field")
        setattr(product, name, value)
    was_package = before["kind"] == ProductKind.PACKAGE
    if was_package != (product.kind == ProductKind.PACKAGE):
        # A package holds products; a print or a file may sit in packages. Neither can turn
        # into the other without breaking those packages: make a new product instead.
        raise ValidationError(
            {"kind": [_("A package cannot become a print or a file, nor the other way round.")]}
        )
    if product.kind != ProductKind.PRINT:
        product.width_cm = product.height_cm = None
    _clean_product(product)
    product.save()
    diff = changes(before, snapshot(product, PRODUCT_FIELDS))
    if diff:
        log_action(
            product.profile,
            "seance.price_profile.product_changed",
            user=user,
            data={"product": product.name, **diff},
        )
    return product


@transaction.atomic
def remove_product(product: Product, *, user) -> None:
    """Remove a product; one that is part of a package stays until the package drops it."""
    if PackageItem.objects.filter(product=product).exists():
        raise ValidationError(_("This product is part of a package; remove it there first."))
    log_action(
        product.profile,
        "seance.price_profile.product_removed",
        user=user,
        data={"product": product.name},
    )
    product.delete()


@transaction.atomic
def set_package_items(package: Product, *, user, items: list[tuple[Product, int]]) -> None:
    """Replace what ``package`` holds: ``[(product, quantity), …]`` from the same profile."""
    if package.kind != ProductKind.PACKAGE:
        raise ValidationError(_("Only a package holds other products."))
    for product, quantity in items:
        if product.profile_id != package.profile_id or product.kind == ProductKind.PACKAGE:
            raise ValidationError(_("A package holds prints and files of its own profile."))
        if quantity < 1:
            raise ValidationError(_("A quantity is at least 1."))
    before = ", ".join(str(i) for i in package.items.select_related("product"))
    package.items.all().delete()
    PackageItem.objects.bulk_create(
        PackageItem(package=package, product=p, quantity=q) for p, q in items
    )
    after = ", ".join(f"{q} × {p.name}" for p, q in items)
    if before != after:
        log_action(
            package.profile,
            "seance.price_profile.package_changed",
            user=user,
            data={"product": package.name, "items": [before, after]},
        )
