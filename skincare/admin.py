from django.contrib import admin

from skincare.models import FailedTask


@admin.register(FailedTask)
class FailedTaskAdmin(admin.ModelAdmin):
    """Tasks that failed for good, newest first: read-only (delete a row once it is dealt with)."""

    list_display = ["failed_at", "task_name", "exception_type", "exception_message", "retries", "request_id"]
    list_filter = ["task_name", "exception_type", "failed_at"]
    search_fields = ["task_name", "task_id", "request_id", "exception_message"]
    date_hierarchy = "failed_at"
    list_per_page = 50
    readonly_fields = [field.name for field in FailedTask._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
