"""Demo accounts: staff with each role and shoppers of every skin type, with addresses."""

import random

from django.contrib.auth.hashers import make_password

from shop.accounts import services
from shop.accounts.models import Address, Role, SkinConcern, SkinType, User

# --scale 34 (10,000 products) gives ~51,000 shoppers for benchmarks.
SHOPPERS_PER_SCALE = 1500
DEMO_PASSWORD = "skincare-demo"  # noqa: S105 - printed for the demo shop on purpose

STAFF = [
    ("admin@skincare.local", "Sophea", "Chan", Role.ADMIN, True),
    ("moderator@skincare.local", "Vanna", "Lim", Role.MODERATOR, False),
    ("expert@skincare.local", "Dr. Malis", "Keo", Role.EXPERT, False),
]
FIRST_NAMES = [
    "Dara",
    "Sreymom",
    "Bopha",
    "Rithy",
    "Chenda",
    "Mony",
    "Kanha",
    "Pisey",
    "Sokha",
    "Nary",
    "Emma",
    "Liam",
    "Mia",
    "Noah",
    "Ava",
    "Lucas",
    "Chloe",
    "Ethan",
    "Zoe",
    "Leo",
]
LAST_NAMES = ["Sok", "Chea", "Heng", "Ly", "Meas", "Nguon", "Phan", "Ros", "Tep", "Yim", "Smith", "Tan", "Lee"]
CITIES = [
    ("Phnom Penh", "12000", "KH"),
    ("Siem Reap", "17000", "KH"),
    ("Battambang", "02000", "KH"),
    ("Bangkok", "10110", "TH"),
    ("Singapore", "018989", "SG"),
]
# Concerns a shopper of each skin type tends to have: gives recommendations structure to learn.
CONCERNS_BY_SKIN = {
    SkinType.OILY: [SkinConcern.OILINESS, SkinConcern.PORES, SkinConcern.ACNE],
    SkinType.DRY: [SkinConcern.DRYNESS, SkinConcern.FINE_LINES, SkinConcern.DULLNESS],
    SkinType.COMBINATION: [SkinConcern.PORES, SkinConcern.TEXTURE, SkinConcern.DULLNESS],
    SkinType.SENSITIVE: [SkinConcern.REDNESS, SkinConcern.SENSITIVITY],
    SkinType.NORMAL: [SkinConcern.AGING, SkinConcern.DARK_SPOTS],
    SkinType.ACNE: [SkinConcern.ACNE, SkinConcern.SCARRING, SkinConcern.HYPERPIGMENTATION],
}


def seed_accounts(*, scale, progress):
    rng = random.Random(42)
    for email, first, last, role, superuser in STAFF:
        user = User.objects.filter(email=email).first()
        if user is None:
            factory = User.objects.create_superuser if superuser else User.objects.create_user
            user = factory(email, DEMO_PASSWORD, first_name=first, last_name=last, email_verified=True)
        services.user_set_role(user=user, role=role)

    total = max(10, int(SHOPPERS_PER_SCALE * scale))
    existing = set(User.objects.filter(email__startswith="shopper").values_list("email", flat=True))
    skin_types = list(SkinType)
    new_users, addresses = [], []
    password_hash = make_password(DEMO_PASSWORD)  # hashing once keeps large scales fast
    for i in range(total):
        email = f"shopper{i + 1}@skincare.local"
        if email in existing:
            continue
        skin = skin_types[i % len(skin_types)]
        concerns = CONCERNS_BY_SKIN[skin]
        user = User(
            email=email,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            skin_type=skin,
            skin_concerns=rng.sample(concerns, k=min(2, len(concerns))),
            language="km" if i % 3 == 0 else "en",
            email_verified=True,
        )
        user.password = password_hash
        new_users.append(user)
        if len(new_users) % 50 == 0:
            progress(i + 1, total, "shoppers")
    User.objects.bulk_create(new_users, batch_size=1000)
    created = User.objects.filter(email__in=[u.email for u in new_users]).only("pk", "first_name", "last_name")
    for user in created:
        city, postal, country = rng.choice(CITIES)
        addresses.append(
            Address(
                user=user,
                first_name=user.first_name,
                last_name=user.last_name,
                address_line1=f"{rng.randint(1, 300)} Street {rng.randint(1, 600)}",
                city=city,
                postal_code=postal,
                country=country,
                phone=f"+855 12 {rng.randint(100000, 999999)}",
                is_default=True,
            )
        )
    Address.objects.bulk_create(addresses, batch_size=1000)
    progress(total, total, "shoppers")
    logins = "\n".join(f"  {email:<28} {DEMO_PASSWORD}  ({role})" for email, _, _, role, _ in STAFF)
    return (
        f"Logins (password '{DEMO_PASSWORD}'):\n{logins}\n  shopper1@skincare.local ... shopper{total}@skincare.local"
    )
