from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import ngettext

from shop.accounts import services
from shop.accounts.forms import NormalizedEmailFormField, StaffPasswordSetForm
from shop.accounts.models import Address, Role, User
from shop.accounts.roles import MODERATE_USER, moderation_refusal


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
    list_filter = ["role", "skin_type", "email_verified", "is_active", "is_staff", "language", "date_joined"]
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
    actions = ["suspend_users", "activate_users", "make_expert", "make_moderator"]
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

    @admin.display(description="Name")
    def full_name(self, user):
        return f"{user.first_name} {user.last_name}".strip()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from skincare.dashboard import customer_sections_for

        customer = self.get_object(request, object_id)
        extra = {"customer_sections": customer_sections_for(request.user, customer)} if customer else {}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def _report(self, request, *, verb, changed, refused):
        """Who changed (success), who was refused and why (warning); never a green "0 users"."""
        if changed:
            emails = ", ".join(user.email for user in changed)
            count = len(changed)
            self.message_user(
                request,
                ngettext("%(n)d user %(verb)s: %(who)s.", "%(n)d users %(verb)s: %(who)s.", count)
                % {"n": count, "verb": verb, "who": emails},
                messages.SUCCESS,
            )
        for user, reason in refused:
            self.message_user(request, f"{user.email} was not {verb}: {reason}", messages.WARNING)
        if not changed:
            self.message_user(request, f"No user was {verb}.", messages.WARNING)

    def _apply(self, request, queryset, *, verb, perform, skip=None):
        changed, refused = [], []
        for user in queryset.order_by("pk"):
            refusal = moderation_refusal(actor=request.user, target=user)
            if refusal:
                refused.append((user, refusal))
            elif skip and skip(user):
                refused.append((user, skip(user)))
            else:
                perform(user)
                changed.append(user)
        self._report(request, verb=verb, changed=changed, refused=refused)

    @admin.action(description="Suspend selected users (logs them out everywhere)", permissions=["moderate"])
    def suspend_users(self, request, queryset):
        self._apply(
            request,
            queryset,
            verb="suspended",
            perform=lambda user: services.user_suspend(user=user),
            skip=lambda user: "already suspended." if not user.is_active else None,
        )

    @admin.action(description="Activate selected users", permissions=["moderate"])
    def activate_users(self, request, queryset):
        self._apply(
            request,
            queryset,
            verb="activated",
            perform=lambda user: services.user_activate(user=user),
            skip=lambda user: "already active." if user.is_active else None,
        )

    def _set_role(self, request, queryset, role, verb):
        self._apply(
            request,
            queryset,
            verb=verb,
            perform=lambda user: services.user_set_role(user=user, role=role),
            skip=lambda user: f"already {Role(role).label.lower()}." if user.role == role else None,
        )

    @admin.action(description="Promote selected users to expert", permissions=["change"])
    def make_expert(self, request, queryset):
        self._set_role(request, queryset, Role.EXPERT, "made expert")

    @admin.action(description="Make selected users moderators", permissions=["change"])
    def make_moderator(self, request, queryset):
        self._set_role(request, queryset, Role.MODERATOR, "made moderator")


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "address_line1", "city", "country", "is_default"]
    list_filter = ["type", "country", "is_default"]
    search_fields = ["user__email", "address_line1", "city", "postal_code"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
