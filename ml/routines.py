"""Routine builder: a morning and an evening routine, one product per step, chosen by the
recommender's skin-type list and the shopper's concerns, within a budget, with no two products
of one routine whose ingredients should not be layered (``ml.ingredients``).

Steps: morning cleanser → toner / serum → treatment → moisturiser → sunscreen; evening the same
without sunscreen. A product used morning and evening (``usage_time`` ``am_pm`` or unset) may
fill the same step of both routines and is bought once. Over budget, the builder repeatedly
makes the change that gives up the least score per unit of money saved: a cheaper product for a
step, or leaving out an optional step (toner / serum, treatment)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ml import ingredients
from ml.error_codes import AnalyticsErrorCode
from ml.serving import _candidates, _entries, _stored, reason_text
from shop.catalog.models import ProductType
from shop.catalog.selectors import PRODUCT_LIST_FIELDS
from skincare.errors import ApplicationError

MORNING, EVENING = "morning", "evening"
STEP_TYPES = {
    "cleanser": (ProductType.CLEANSER,),
    "toner_serum": (ProductType.TONER, ProductType.ESSENCE, ProductType.SERUM),
    "treatment": (ProductType.TREATMENT, ProductType.EXFOLIANT),
    "moisturiser": (ProductType.MOISTURIZER,),
    "sunscreen": (ProductType.SUNSCREEN,),
}
STEPS = {
    MORNING: ("cleanser", "toner_serum", "treatment", "moisturiser", "sunscreen"),
    EVENING: ("cleanser", "toner_serum", "treatment", "moisturiser"),
}
STEP_LABELS = {
    "cleanser": _("Cleanser"),
    "toner_serum": _("Toner or serum"),
    "treatment": _("Treatment"),
    "moisturiser": _("Moisturiser"),
    "sunscreen": _("Sunscreen"),
}
OPTIONAL = {"toner_serum", "treatment"}
USAGE = {MORNING: {"am", "am_pm", ""}, EVENING: {"pm", "am_pm", ""}}
DROP_PENALTY = 0.5  # leaving a step out costs its score plus this, so a cheaper product wins first


@dataclass
class RoutineStep:
    step: str
    product: object
    score: float
    reason: str

    @property
    def label(self):
        return STEP_LABELS[self.step]


@dataclass
class RoutinePlan:
    skin_type: str
    concerns: list
    sensitive: bool
    budget: Decimal | None
    morning: list = field(default_factory=list)
    evening: list = field(default_factory=list)
    missing: list = field(default_factory=list)  # [(routine, step)] nothing suitable in stock
    conflicts: list = field(default_factory=list)  # with the cart and recent orders
    checked: list = field(default_factory=list)

    @property
    def products(self):
        """Distinct products, in routine order."""
        seen = {}
        for step in self.morning + self.evening:
            seen.setdefault(step.product.pk, step.product)
        return list(seen.values())

    @property
    def total(self):
        return sum((p.price for p in self.products), Decimal("0.00"))

    @property
    def currency(self):
        products = self.products
        return products[0].currency if products else None


def _scored_candidates(*, skin_type, concerns, sensitive, user):
    """{product id: (product, score, reason)} of in-stock products of the routine's types that
    suit the skin type. Score: the skin-type list's score (0 when not on it), averaged with the
    share of the concerns the product targets when concerns are given."""
    types = [t for kinds in STEP_TYPES.values() for t in kinds]
    queryset = _candidates(user).only(*PRODUCT_LIST_FIELDS, "usage_time").filter(product_type__in=types)
    stored = {e["product_id"]: e for e in _entries(_stored("product_recommendations", f"skin:{skin_type}"))}
    out = {}
    for product in queryset:
        skins = product.skin_types or []
        if not product.in_stock or (skins and "all" not in skins and skin_type not in skins):
            continue
        if sensitive and not (product.suitable_for_sensitive_skin or "sensitive" in skins):
            continue
        entry = stored.get(product.pk) or {"score": 0.0, "reason_code": "suits_skin", "reason_params": {}}
        entry = {**entry, "reason_params": {**(entry.get("reason_params") or {}), "skin": skin_type}}
        score = float(entry["score"])
        if concerns:
            matched = [c for c in concerns if c in (product.concerns or ())]
            score = 0.5 * score + 0.5 * len(matched) / len(concerns)
            if matched and entry.get("reason_code") != "rated_by_skin":
                entry.update(reason_code="concerns_match", reason_params={"concerns": matched, "skin": skin_type})
        out[product.pk] = (product, round(score, 4), reason_text(entry))
    return out


def _ranked(candidates, routine, step):
    kinds = STEP_TYPES[step]
    rows = [
        (product, score, reason)
        for product, score, reason in candidates.values()
        if product.product_type in kinds and (product.usage_time or "") in USAGE[routine]
    ]
    return sorted(rows, key=lambda r: (-r[1], -(r[0].rating_avg or 0), r[0].price, r[0].pk))


class _Clash:
    def __init__(self, product_ids):
        self.members, _names = ingredients._family_members(product_ids)
        self.rules = [(r.family_a.slug, r.family_b.slug) for r in ingredients._interactions()]

    def __call__(self, a, b):
        if a == b:
            return False
        fa, fb = self.members.get(a, {}), self.members.get(b, {})
        return any((x in fa and y in fb) or (y in fa and x in fb) for x, y in self.rules)


def _cost(choice):
    seen = {}
    for product, _score, _reason in choice.values():
        seen[product.pk] = product.price
    return sum(seen.values(), Decimal("0.00"))


def _fits(clash, choice, routine, step, product):
    return not any(clash(product.pk, other[0].pk) for (r, s), other in choice.items() if r == routine and s != step)


def routine_build(*, skin_type, concerns=(), sensitive=False, budget=None, user=None, cart_product_ids=()):
    concerns = list(dict.fromkeys(concerns))
    candidates = _scored_candidates(skin_type=skin_type, concerns=concerns, sensitive=sensitive, user=user)
    clash = _Clash(list(candidates))
    ranked = {(routine, step): _ranked(candidates, routine, step) for routine in STEPS for step in STEPS[routine]}
    choice, missing = {}, []
    for routine in (EVENING, MORNING):  # evening first: most treatments are for the evening
        for step in STEPS[routine]:
            pick = next((row for row in ranked[(routine, step)] if _fits(clash, choice, routine, step, row[0])), None)
            if pick is None:
                missing.append((routine, step))
            else:
                choice[(routine, step)] = pick
    if budget is not None:
        _fit_budget(choice, ranked, clash, budget)
    plan = RoutinePlan(skin_type=skin_type, concerns=concerns, sensitive=sensitive, budget=budget)
    plan.missing = sorted(missing, key=lambda key: (key[0] != MORNING, STEPS[key[0]].index(key[1])))
    for routine in (MORNING, EVENING):
        steps = [RoutineStep(step, *choice[(routine, step)]) for step in STEPS[routine] if (routine, step) in choice]
        setattr(plan, routine, steps)
    when = {}
    for step in plan.morning:
        when[step.product.pk] = MORNING
    for step in plan.evening:
        when[step.product.pk] = "both" if when.get(step.product.pk) == MORNING else EVENING
    plan.checked, plan.conflicts = ingredients.compatibility_check(
        product_ids=[p.pk for p in plan.products],
        cart_product_ids=cart_product_ids,
        recent_product_ids=ingredients.recent_order_product_ids(user=user),
        routine_of=when,
        source="routine",
    )
    return plan


def _fit_budget(choice, ranked, clash, budget):
    while _cost(choice) > budget:
        best = None  # (loss per money saved, key, replacement or None)
        current_cost = _cost(choice)
        for key, (product, score, _reason) in choice.items():
            routine, step = key
            for row in ranked[key]:
                if row[0].price >= product.price or not _fits(clash, choice, routine, step, row[0]):
                    continue
                saved = current_cost - _cost({**choice, key: row})
                if saved > 0:
                    option = (max(0.0, score - row[1]) / float(saved), key, row)
                    best = option if best is None or option[:2] < best[:2] else best
            if step in OPTIONAL:
                # leave the product out of every optional step it fills (a product filling the
                # same step morning and evening is bought once: dropping one alone saves nothing)
                keys = [k for k, v in choice.items() if v[0].pk == product.pk and k[1] in OPTIONAL]
                rest = {k: v for k, v in choice.items() if k not in keys}
                saved = current_cost - _cost(rest)
                if saved > 0:
                    loss = sum(choice[k][1] + DROP_PENALTY for k in keys)
                    option = (loss / float(saved), key, None)
                    best = option if best is None or option[:2] < best[:2] else best
        if best is None:
            raise ApplicationError(
                AnalyticsErrorCode.ROUTINE_OVER_BUDGET,
                gettext("No routine fits a budget of %(budget)s; the cheapest one found costs %(cost)s.")
                % {"budget": budget, "cost": current_cost},
                errors={"budget": [gettext("The cheapest routine found costs %(cost)s.") % {"cost": current_cost}]},
            )
        _loss, key, row = best
        if row is None:
            dropped = choice[key][0].pk
            for k in [k for k, v in choice.items() if v[0].pk == dropped and k[1] in OPTIONAL]:
                del choice[k]
        else:
            choice[key] = row


@transaction.atomic
def routine_add_to_cart(*, cart, product_ids):
    """Every product of the routine into the cart (one each), all or none."""
    from shop.cart import services as cart_services

    for product_id in dict.fromkeys(product_ids):
        cart_services.cart_add_line(cart=cart, product_id=product_id, quantity=1)
