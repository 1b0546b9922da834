"""Demo: the premium plan as a catalogue product (a ``subscription`` product: a paid order of it
grants premium), and premium granted by the demo admin to the first two shoppers."""

from decimal import Decimal

from django.conf import settings

from shop.accounts.models import User
from shop.catalog import services as catalog_services
from shop.catalog.models import Brand, Category, Product, ProductStatus, ProductType
from shop.subscriptions import services
from shop.subscriptions.models import GrantSource, PremiumGrant

PLAN_SKU = "PREMIUM-1M"
PREMIUM_SHOPPERS = ("shopper1@skincare.local", "shopper2@skincare.local")


def seed_subscription_plan(*, scale, progress):
    created = False
    if not Product.objects.filter(sku=PLAN_SKU).exists():
        brand = Brand.objects.filter(slug="skinsense").first() or catalog_services.brand_create(
            name="SkinSense", slug="skinsense", country="Cambodia"
        )
        category = Category.objects.filter(slug="memberships").first() or catalog_services.category_create(
            name="Memberships", name_km="សមាជិកភាព", slug="memberships", sort_order=99
        )
        catalog_services.product_create(
            sku=PLAN_SKU,
            name="SkinSense Premium – 1 month",
            name_km="SkinSense ព្រីមៀម – 1 ខែ",
            slug="skinsense-premium-1-month",
            brand=brand,
            category=category,
            product_type=ProductType.SUBSCRIPTION,
            price=Decimal("4.99"),
            track_inventory=False,
            status=ProductStatus.ACTIVE,
            short_description=(
                f"{settings.SUBSCRIPTION_PREMIUM_DAYS} days of premium: "
                f"{settings.SUBSCRIPTION_PREMIUM_MONTHLY_SCANS} skin scans a month and "
                f"{settings.SUBSCRIPTION_PREMIUM_DAILY_QUESTIONS} expert or AI questions a day."
            ),
            description="Premium starts when the order is paid and follows any premium you already have.",
        )
        created = True
    admin = User.objects.filter(email="admin@skincare.local").first()
    granted = 0
    shoppers = list(User.objects.filter(email__in=PREMIUM_SHOPPERS).order_by("pk"))
    for done, user in enumerate(shoppers, start=1):
        if not PremiumGrant.objects.filter(user=user, source=GrantSource.STAFF).exists():
            services.premium_grant(
                user=user,
                days=settings.SUBSCRIPTION_PREMIUM_DAYS,
                source=GrantSource.STAFF,
                granted_by=admin,
                note="Demo premium",
            )
            granted += 1
        progress(done, len(shoppers), "premium grants")
    return (
        f"premium plan {'added' if created else 'already there'} ({PLAN_SKU}); premium granted to {granted} shopper(s)"
    )
