from django.db.models import Count, Prefetch, QuerySet

from seance.catalog.models import PackageItem, PriceProfile, Product
from seance.core.models import Organizer


def price_profiles_for(organizer: Organizer) -> QuerySet[PriceProfile]:
    return (
        PriceProfile.objects.for_organizer(organizer)
        .annotate(
            product_count=Count("products", distinct=True),
            session_count=Count("sessions", distinct=True),
        )
        .order_by("name", "id")
    )


def products_of(profile: PriceProfile) -> QuerySet[Product]:
    return profile.products.prefetch_related(
        Prefetch("items", queryset=PackageItem.objects.select_related("product"))
    ).order_by("position", "id")
