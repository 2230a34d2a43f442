from django.contrib import admin

from seance.catalog.models import PackageItem, PriceProfile, Product


class ProductInline(admin.TabularInline):
    model = Product
    extra = 0


@admin.register(PriceProfile)
class PriceProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "organizer"]
    inlines = [ProductInline]


@admin.register(PackageItem)
class PackageItemAdmin(admin.ModelAdmin):
    list_display = ["package", "product", "quantity"]
