from django.contrib import admin

from bestellwerk.core.models import ShopSettings, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(ShopSettings)
class ShopSettingsAdmin(admin.ModelAdmin):
    list_display = ["shop_name", "currency", "default_language"]

    def has_add_permission(self, request) -> bool:
        return not ShopSettings.objects.exists()
