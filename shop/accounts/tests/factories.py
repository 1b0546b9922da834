import factory

from shop.accounts.models import Address, Role, SkinType

DEFAULT_PASSWORD = "Sunscreen-42-daily"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.User"
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"shopper{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    skin_type = SkinType.COMBINATION
    email_verified = True
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class StaffFactory(UserFactory):
    """An admin; ``User.save`` puts it in the admin group."""

    email = factory.Sequence(lambda n: f"staff{n}@example.com")
    role = Role.ADMIN


class ModeratorFactory(UserFactory):
    email = factory.Sequence(lambda n: f"moderator{n}@example.com")
    role = Role.MODERATOR


class ExpertFactory(UserFactory):
    email = factory.Sequence(lambda n: f"expert{n}@example.com")
    role = Role.EXPERT


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    first_name = "Dara"
    last_name = "Sok"
    address_line1 = factory.Sequence(lambda n: f"{n} Norodom Blvd")
    city = "Phnom Penh"
    postal_code = "12000"
    country = "KH"
