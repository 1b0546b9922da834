from django.core.validators import EmailValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from shop.accounts.emails import email_normalize, email_validate
from shop.accounts.models import Address, Gender, Language, Role, SkinConcern, SkinType, User


class ProfilePictureOutput(serializers.Serializer):
    id = serializers.UUIDField(help_text="The file's public id.")
    url = serializers.CharField()
    thumbnails = serializers.DictField(child=serializers.CharField(), help_text="Thumbnail URL by size name.")


class UserOutput(serializers.ModelSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    # Declared so the schema says "" (not given) is possible: read-only model fields lose allow_blank.
    gender = serializers.ChoiceField(choices=Gender.choices, allow_blank=True, read_only=True)
    skin_concerns = serializers.ListField(child=serializers.ChoiceField(choices=SkinConcern.choices), read_only=True)
    expertise_areas = serializers.ListField(child=serializers.CharField(), read_only=True)
    profile_picture = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "full_name",
            "phone",
            "date_of_birth",
            "gender",
            "skin_type",
            "skin_concerns",
            "language",
            "role",
            "bio",
            "expertise_areas",
            "profile_picture",
            "email_verified",
            "total_orders",
            "total_spent",
            "reviews_written",
            "helpful_votes_received",
            "questions_asked",
            "answers_provided",
            "community_score",
            "files_uploaded",
            "storage_used",
            "date_joined",
        ]
        read_only_fields = fields

    def get_profile_picture(self, user) -> ProfilePictureOutput(allow_null=True):
        picture = user.profile_picture if user.profile_picture_id else None
        if picture is None:
            return None
        from shop.files.services import file_url

        request = self.context.get("request")
        return {
            "id": str(picture.public_id),
            "url": file_url(file=picture, request=request),
            "thumbnails": {name: file_url(file=picture, size=name, request=request) for name in picture.thumbnails},
        }


class ProfileInput(serializers.Serializer):
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.RegexField(r"^\+?[0-9 ()-]{6,20}$", max_length=20, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    skin_type = serializers.ChoiceField(choices=SkinType.choices, required=False)
    skin_concerns = serializers.ListField(
        child=serializers.ChoiceField(choices=SkinConcern.choices), required=False, max_length=len(SkinConcern)
    )
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    bio = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    expertise_areas = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=20)

    def validate_date_of_birth(self, value):
        from django.utils import timezone

        if value is not None and not (13 <= (timezone.localdate() - value).days // 365 <= 120):
            raise serializers.ValidationError(gettext("Enter a real date of birth (age 13 to 120)."))
        return value

    def validate_skin_concerns(self, value):
        return list(dict.fromkeys(value))

    def validate_expertise_areas(self, value):
        user = self.context["request"].user
        if value and user.role != Role.EXPERT:
            raise serializers.ValidationError(gettext("Only experts list expertise areas."))
        return list(dict.fromkeys(v.strip() for v in value if v.strip()))


class NormalizedEmailField(serializers.EmailField):
    """An e-mail folded with ``email_normalize`` before it is validated, so every door sees the
    same spelling (fullwidth letters, ``ſ``, the Kelvin sign fold to plain ones)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, EmailValidator)] + [email_validate]

    def to_internal_value(self, data):
        return email_normalize(super().to_internal_value(data))


class RegisterInput(ProfileInput):
    email = NormalizedEmailField(max_length=255)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    expertise_areas = None  # only experts, promoted by staff, list expertise areas


class LoginInput(serializers.Serializer):
    email = NormalizedEmailField(max_length=255)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class LoginOutput(TokenPairOutput):
    user = UserOutput()


class RefreshInput(serializers.Serializer):
    refresh = serializers.CharField(max_length=2000)


class EmailInput(serializers.Serializer):
    email = NormalizedEmailField(max_length=255)


class VerifyEmailInput(serializers.Serializer):
    """Either the link's ``token``, or the ``email`` and the 6-digit ``code`` from the same e-mail."""

    token = serializers.CharField(max_length=1000, required=False)
    email = serializers.EmailField(max_length=254, required=False)
    code = serializers.RegexField(r"^\d{6}$", required=False, error_messages={"invalid": _("Enter the 6-digit code.")})

    def validate(self, attrs):
        if attrs.get("token"):
            return attrs
        missing = {name: [_("This field is required.")] for name in ("email", "code") if not attrs.get(name)}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class ResetPasswordInput(serializers.Serializer):
    uid = serializers.CharField(max_length=100)
    token = serializers.CharField(max_length=200)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class ChangePasswordInput(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class MessageOutput(serializers.Serializer):
    message = serializers.CharField()


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = [
            "id",
            "type",
            "first_name",
            "last_name",
            "company",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "country",
            "phone",
            "is_default",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"is_default": {"required": False}}
