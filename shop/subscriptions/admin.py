"""Admin: premium grants are added here (admins only: the permissions are not in any other role)
through the same service as the staff API; a grant is a record, never edited afterwards."""

from django.contrib import admin

from shop.subscriptions import services
from shop.subscriptions.models import GrantSource, PremiumGrant


@admin.register(PremiumGrant)
class PremiumGrantAdmin(admin.ModelAdmin):
    list_display = ("user", "source", "days", "starts_at", "ends_at", "granted_by", "created_at")
    list_filter = ("source",)
    search_fields = ("user__email", "order__order_number", "note")
    raw_id_fields = ("user",)
    fields = ("user", "days", "note")
    readonly_fields = ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "days", "note")
        return (
            "user", "source", "order", "days", "starts_at", "ends_at", "revoked_days", "revoked_at", "granted_by",
            "note", "created_at",
        )  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        grant = services.premium_grant(
            user=obj.user, days=obj.days, note=obj.note, source=GrantSource.STAFF, granted_by=request.user
        )
        obj.pk = grant.pk
        obj.__dict__.update({k: v for k, v in grant.__dict__.items() if not k.startswith("_")})
