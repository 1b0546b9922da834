from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from shop.accounts.emails import email_normalize


class SkinType(models.TextChoices):
    OILY = "oily", "Oily"
    DRY = "dry", "Dry"
    COMBINATION = "combination", "Combination"
    SENSITIVE = "sensitive", "Sensitive"
    NORMAL = "normal", "Normal"
    ACNE = "acne", "Acne-prone"


class SkinConcern(models.TextChoices):
    ACNE = "acne", "Acne"
    AGING = "aging", "Aging"
    DARK_SPOTS = "dark_spots", "Dark spots"
    DRYNESS = "dryness", "Dryness"
    DULLNESS = "dullness", "Dullness"
    FINE_LINES = "fine_lines", "Fine lines"
    HYPERPIGMENTATION = "hyperpigmentation", "Hyperpigmentation"
    OILINESS = "oiliness", "Oiliness"
    PORES = "pores", "Large pores"
    REDNESS = "redness", "Redness"
    SCARRING = "scarring", "Scarring"
    SENSITIVITY = "sensitivity", "Sensitivity"
    TEXTURE = "texture", "Uneven texture"
    DARK_CIRCLES = "dark_circles", "Dark circles"


class Gender(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    OTHER = "other", "Other"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    KHMER = "km", "Khmer"


class Role(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    ADMIN = "admin", "Admin"
    MODERATOR = "moderator", "Moderator"
    EXPERT = "expert", "Expert"


STAFF_ROLES = (Role.ADMIN, Role.MODERATOR)


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        return email_normalize(email)

    def get_by_natural_key(self, username):
        # Exact match on the stored (normalised) form: the same identity the login limiter counts.
        return self.get(email=email_normalize(username))

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN, email_verified=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(max_length=255, unique=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=10, choices=Gender.choices, blank=True)
    skin_type = models.CharField(max_length=20, choices=SkinType.choices, default=SkinType.NORMAL)
    skin_concerns = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.ENGLISH)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CUSTOMER, db_index=True)
    bio = models.TextField(blank=True)
    expertise_areas = models.JSONField(default=list, blank=True)
    profile_picture = models.ForeignKey(
        "files.UploadedFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can log into the Django admin.")
    email_verified = models.BooleanField(default=False)
    email_verified_at = models.DateTimeField(null=True, blank=True)

    # Counters kept by the services that change them.
    total_orders = models.PositiveIntegerField(default=0)
    total_spent = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    avg_rating = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0.00"))
    reviews_written = models.PositiveIntegerField(default=0)
    helpful_votes_received = models.PositiveIntegerField(default=0)
    questions_asked = models.PositiveIntegerField(default=0)
    answers_provided = models.PositiveIntegerField(default=0)
    community_score = models.IntegerField(default=0)
    files_uploaded = models.PositiveIntegerField(default=0)
    storage_used = models.PositiveBigIntegerField(default=0)

    date_joined = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["-date_joined"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(condition=models.Q(total_spent__gte=0), name="accounts_user_total_spent_gte_0"),
        ]
        indexes = [models.Index(fields=["skin_type"]), models.Index(fields=["role", "is_active"])]
        permissions = [("moderate_user", "Can suspend or reactivate a user and recalculate their community score")]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        # Before the unique checks of model forms (the admin), so they compare the stored form.
        self.email = UserManager.normalize_email(self.email)

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        """A user loaded with a few columns for authentication (``shop.accounts.authentication``)
        loads all its other columns in one query the first time one of them is read."""
        if fields is not None and getattr(self, "_load_deferred_together", False):
            deferred = self.get_deferred_fields()
            if deferred and set(fields) <= deferred:
                fields = deferred
        return super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)

    def save(self, *args, **kwargs):
        """``is_staff`` and the role group follow ``role`` on every save that may change it."""
        from shop.accounts.roles import role_is_staff, user_role_groups_sync

        if kwargs.get("update_fields") is None and getattr(self, "_load_deferred_together", False):
            deferred = self.get_deferred_fields()
            if deferred:  # a full save writes every column, as for a user loaded whole
                self.refresh_from_db(fields=deferred)

        self.email = UserManager.normalize_email(self.email)
        self.is_staff = self.is_superuser or role_is_staff(self.role)
        update_fields = kwargs.get("update_fields")
        role_saved = update_fields is None or bool({"role", "is_superuser"} & set(update_fields))
        if update_fields is not None and role_saved:
            kwargs["update_fields"] = {*update_fields, "is_staff"}
        if not role_saved or (self._state.adding and not role_is_staff(self.role)):
            super().save(*args, **kwargs)  # no role group to add or remove
            return
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            user_role_groups_sync(self)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self):
        return self.first_name or self.email


class AddressType(models.TextChoices):
    SHIPPING = "shipping", "Shipping"
    BILLING = "billing", "Billing"


class Address(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    type = models.CharField(max_length=20, choices=AddressType.choices, default=AddressType.SHIPPING)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    company = models.CharField(max_length=100, blank=True)
    address_line1 = models.CharField(max_length=255)
    address_line2 = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=100)
    phone = models.CharField(max_length=20, blank=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_default", "-created_at"]
        verbose_name_plural = "addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(is_default=True), name="accounts_address_one_default_per_user"
            )
        ]

    def __str__(self):
        return f"{self.address_line1}, {self.city} ({self.user_id})"


class EmailVerificationCode(models.Model):
    """The short code e-mailed with the verification link, for apps (one live code per user).

    Only an HMAC of the code is stored; a new e-mail replaces the row, which also resets the
    attempt count. ``email`` ties the code to the address it was sent to.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"verification code for {self.user_id}"
