from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import ngettext

from shop.accounts import services
from shop.accounts.forms import NormalizedEmailFormField, StaffPasswordSetForm
from shop.accounts.models import Address, Role, User
from shop.accounts.roles import MODERATE_USER


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)
        field_classes = {"email": NormalizedEmailFormField}


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"email": NormalizedEmailFormField}


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0
    fields = ["type", "address_line1", "city", "postal_code", "country", "phone", "is_default"]


# What a moderator (view + moderate, no change) sees of a user: the public profile, no money,
# no contact details, no addresses (the address inline needs its own permission).
PUBLIC_PROFILE_FIELDSETS = (
    (None, {"fields": ("email", "first_name", "last_name", "role", "is_active", "date_joined")}),
    ("Profile", {"fields": ("bio", "expertise_areas")}),
    (
        "Community",
        {
            "fields": (
                "reviews_written",
                "helpful_votes_received",
                "questions_asked",
                "answers_provided",
                "community_score",
            )
        },
    ),
)
MONEY_COLUMNS = ("total_orders", "total_spent")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Role is the one editable access field: ``is_staff`` and the groups follow it on save
    (``shop.accounts.roles``), so they are shown read-only here."""

    form = UserEditForm
    add_form = UserCreationForm
    change_password_form = StaffPasswordSetForm  # through the service: refresh tokens are revoked
    ordering = ["-date_joined"]
    list_display = [
        "email",
        "full_name",
        "role",
        "skin_type",
        "email_verified",
        "is_active",
        "total_orders",
        "total_spent",
        "date_joined",
    ]
    list_filter = ["role", "skin_type", "email_verified", "is_active", "is_staff", "language"]
    search_fields = ["email", "first_name", "last_name", "phone"]
    readonly_fields = [
        "last_login",
        "date_joined",
        "email_verified_at",
        "total_orders",
        "total_spent",
        "avg_rating",
        "reviews_written",
        "helpful_votes_received",
        "questions_asked",
        "answers_provided",
        "community_score",
        "files_uploaded",
        "storage_used",
    ]
    list_select_related = []
    inlines = [AddressInline]
    actions = ["suspend_users", "activate_users", "make_expert"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Profile",
            {
                "fields": (
                    "first_name",
                    "last_name",
                    "phone",
                    "date_of_birth",
                    "gender",
                    "language",
                    "bio",
                    "profile_picture",
                )
            },
        ),
        ("Skin", {"fields": ("skin_type", "skin_concerns")}),
        (
            "Role and access",
            {
                "fields": (
                    "role",
                    "expertise_areas",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "email_verified",
                    "email_verified_at",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (
            "Statistics",
            {
                "fields": (
                    "total_orders",
                    "total_spent",
                    "avg_rating",
                    "reviews_written",
                    "helpful_votes_received",
                    "questions_asked",
                    "answers_provided",
                    "community_score",
                    "files_uploaded",
                    "storage_used",
                )
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    raw_id_fields = ["profile_picture"]

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return PUBLIC_PROFILE_FIELDSETS
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "is_staff", "groups", "user_permissions"]
        if not request.user.is_superuser:
            fields.append("is_superuser")
        return fields

    def get_search_fields(self, request):
        if self.has_change_permission(request):
            return super().get_search_fields(request)
        return [f for f in super().get_search_fields(request) if f != "phone"]  # no probing contact details

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if request.user.has_perm("orders.view_order"):
            return columns
        return [c for c in columns if c not in MONEY_COLUMNS]

    def has_moderate_permission(self, request):
        return request.user.has_perm(MODERATE_USER)

    def _moderatable(self, request, queryset):
        """Moderators suspend and reactivate shoppers and experts; staff accounts only an admin."""
        targets = queryset.exclude(pk=request.user.pk)
        if not request.user.has_perm("accounts.change_user"):
            targets = targets.filter(role__in=[Role.CUSTOMER, Role.EXPERT], is_superuser=False)
        return targets

    @admin.display(description="Name")
    def full_name(self, user):
        return f"{user.first_name} {user.last_name}".strip()

    def _report(self, request, count, verb):
        self.message_user(
            request,
            ngettext("%(n)d user %(verb)s.", "%(n)d users %(verb)s.", count) % {"n": count, "verb": verb},
            messages.SUCCESS,
        )

    @admin.action(description="Suspend selected users (logs them out everywhere)", permissions=["moderate"])
    def suspend_users(self, request, queryset):
        targets = self._moderatable(request, queryset)
        for user in targets:
            services.user_suspend(user=user)
        self._report(request, len(targets), "suspended")

    @admin.action(description="Activate selected users", permissions=["moderate"])
    def activate_users(self, request, queryset):
        targets = self._moderatable(request, queryset)
        for user in targets:
            services.user_activate(user=user)
        self._report(request, len(targets), "activated")

    @admin.action(description="Promote selected users to expert", permissions=["change"])
    def make_expert(self, request, queryset):
        for user in queryset:
            services.user_set_role(user=user, role=Role.EXPERT)
        self._report(request, len(queryset), "promoted to expert")


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "address_line1", "city", "country", "is_default"]
    list_filter = ["type", "country", "is_default"]
    search_fields = ["user__email", "address_line1", "city", "postal_code"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
