"""Ingredient-interaction checks across products: a routine, a cart, recent orders.

The pairs live in ``IngredientInteraction`` (admin-editable, seeded by a data migration). A
product belongs to a family when one of its ingredients' names or INCI names contains a family
keyword. Every check runs a constant number of queries whatever the number of products."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from ml.etl.common import PURCHASED
from ml.models import IngredientFamily, IngredientInteraction
from shop.catalog.models import Product, ProductIngredient, ProductStatus
from shop.orders.models import OrderItem

RECENT_ORDER_DAYS = 90  # a bottle of serum or cream lasts one to three months
MAX_PRODUCTS = 50


@dataclass(frozen=True)
class CheckedProduct:
    id: int
    name: str
    slug: str
    source: str  # "request" | "routine" | "cart" | "recent_order"


@dataclass
class Conflict:
    severity: str
    first: CheckedProduct
    second: CheckedProduct
    first_ingredients: list
    second_ingredients: list
    families: tuple
    explanation: str
    advice: str
    first_routine: str = ""
    second_routine: str = ""


def _family_members(product_ids):
    """{product id: {family slug: [ingredient names]}} and {slug: family name}."""
    families = list(IngredientFamily.objects.only("slug", "name", "keywords"))
    members = {}
    rows = ProductIngredient.objects.filter(product_id__in=product_ids).values_list(
        "product_id", "ingredient__name", "ingredient__inci_name"
    )
    for product_id, name, inci in rows:
        text = f"{name} {inci}".casefold()
        for family in families:
            if any(keyword.casefold() in text for keyword in family.keywords or ()):
                members.setdefault(product_id, {}).setdefault(family.slug, []).append(name)
    return members, {family.slug: family.name for family in families}


def _interactions():
    return list(
        IngredientInteraction.objects.filter(is_active=True).select_related("family_a", "family_b").order_by("pk")
    )


def conflicts_among(products, *, routine_of=None):
    """Every interacting pair among ``products`` (``CheckedProduct``s, distinct ids).

    ``routine_of`` maps a product id to "morning" / "evening" / "both": two products used only
    at different times of day are already separated the way the advice says, so they are not a
    conflict."""
    routine_of = routine_of or {}
    members, _names = _family_members([p.id for p in products])
    interactions = _interactions()
    conflicts = []
    for i, first in enumerate(products):
        for second in products[i + 1 :]:
            if first.id == second.id:
                continue
            when_a, when_b = routine_of.get(first.id, "both"), routine_of.get(second.id, "both")
            if "both" not in (when_a, when_b) and when_a != when_b:
                continue
            a, b = members.get(first.id, {}), members.get(second.id, {})
            for rule in interactions:
                fa, fb = rule.family_a.slug, rule.family_b.slug
                for x, y in ((fa, fb), (fb, fa)):
                    if x in a and y in b:
                        conflicts.append(
                            Conflict(
                                severity=rule.severity,
                                first=first,
                                second=second,
                                first_ingredients=sorted(set(a[x])),
                                second_ingredients=sorted(set(b[y])),
                                families=(rule.family_a.name, rule.family_b.name)
                                if x == fa
                                else (rule.family_b.name, rule.family_a.name),
                                explanation=rule.explanation,
                                advice=rule.advice,
                                first_routine=routine_of.get(first.id, ""),
                                second_routine=routine_of.get(second.id, ""),
                            )  # fmt: skip
                        )
                        break
    return conflicts


def recent_order_product_ids(*, user, now=None):
    """Products of the shopper's orders of the last RECENT_ORDER_DAYS that went through."""
    if user is None or not user.is_authenticated:
        return []
    since = (now or timezone.now()) - timedelta(days=RECENT_ORDER_DAYS)
    return list(
        OrderItem.objects.filter(order__user=user, order__status__in=PURCHASED, order__created_at__gte=since)
        .order_by("product_id")
        .values_list("product_id", flat=True)
        .distinct()
    )


def checked_products(sources):
    """``sources``: [(source, [product ids])] in priority order -> distinct ``CheckedProduct``s
    of the products that exist (the first source naming a product wins). One query."""
    ids = list(dict.fromkeys(pid for _, pids in sources for pid in pids))
    rows = {p["pk"]: p for p in Product.objects.filter(pk__in=ids).values("pk", "name", "slug")}
    seen, out = set(), []
    for source, pids in sources:
        for pid in pids:
            if pid in rows and pid not in seen:
                seen.add(pid)
                out.append(CheckedProduct(id=pid, name=rows[pid]["name"], slug=rows[pid]["slug"], source=source))
    return out


def active_product_ids(product_ids):
    return set(Product.objects.filter(pk__in=product_ids, status=ProductStatus.ACTIVE).values_list("pk", flat=True))


def compatibility_check(*, product_ids, cart_product_ids=(), recent_product_ids=(), routine_of=None, source="request"):
    """Conflicts among the given products, the cart's and the recent orders', each pair once.

    Pairs where neither product was asked about are left out (the shopper asked about these
    products, not about an old order against another old order)."""
    products = checked_products(
        [(source, product_ids), ("cart", cart_product_ids), ("recent_order", recent_product_ids)]
    )
    asked = {p.id for p in products if p.source == source}
    conflicts = [
        c for c in conflicts_among(products, routine_of=routine_of) if c.first.id in asked or c.second.id in asked
    ]
    return products, conflicts
