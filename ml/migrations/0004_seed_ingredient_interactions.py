"""Seed the ingredient families and the well-documented pairs that should not be layered.
Staff edit both tables in the admin afterwards; the reverse removes only what this added."""

from django.db import migrations

FAMILIES = [
    ("retinoids", "Retinoids", ["retinol", "retinal", "retinaldehyde", "retinyl", "tretinoin", "adapalene",
                                "tazarotene", "retinoate"]),
    ("aha", "Alpha hydroxy acids (AHA)", ["glycolic", "lactic acid", "mandelic", "malic acid", "tartaric acid"]),
    ("bha", "Beta hydroxy acid (BHA)", ["salicylic", "betaine salicylate"]),
    ("benzoyl-peroxide", "Benzoyl peroxide", ["benzoyl peroxide"]),
    ("vitamin-c", "Vitamin C (ascorbic acid)", ["vitamin c", "ascorbic acid"]),
]  # fmt: skip

IRRITATION = (
    "Both speed up the shedding of skin cells; layered together they often cause redness, peeling, "
    "stinging and a weakened skin barrier."
)
PAIRS = [
    ("retinoids", "aha", "caution", IRRITATION,
     "Use them on different evenings, or the acid in the morning (with sunscreen) and the retinoid at night."),
    ("retinoids", "bha", "caution", IRRITATION,
     "Use them on different evenings, or the acid in the morning (with sunscreen) and the retinoid at night."),
    ("retinoids", "benzoyl-peroxide", "avoid",
     "Benzoyl peroxide can break down retinol and tretinoin, so the retinoid works less, and the pair is very "
     "drying.",
     "Use benzoyl peroxide in the morning and the retinoid in the evening, or drop one of them."),
    ("vitamin-c", "benzoyl-peroxide", "avoid",
     "Benzoyl peroxide oxidises vitamin C (ascorbic acid), so the vitamin C stops working.",
     "Use vitamin C in the morning and benzoyl peroxide in the evening, or on alternate days."),
    ("aha", "bha", "caution",
     "Several exfoliating acids at once over-exfoliate: stinging, redness and a damaged skin barrier.",
     "Keep one exfoliating acid per routine, or alternate them on different days."),
    ("aha", "aha", "caution",
     "Two products with exfoliating acids over-exfoliate: stinging, redness and a damaged skin barrier.",
     "Keep one exfoliating acid per routine, or alternate them on different days."),
    ("bha", "bha", "caution",
     "Two products with salicylic acid dry the skin out and irritate it.",
     "Keep one of them, or alternate them on different days."),
]  # fmt: skip


def seed(apps, schema_editor):
    Family = apps.get_model("ml", "IngredientFamily")
    Interaction = apps.get_model("ml", "IngredientInteraction")
    families = {}
    for slug, name, keywords in FAMILIES:
        families[slug], _ = Family.objects.get_or_create(slug=slug, defaults={"name": name, "keywords": keywords})
    for a, b, severity, explanation, advice in PAIRS:
        Interaction.objects.get_or_create(
            family_a=families[a],
            family_b=families[b],
            defaults={"severity": severity, "explanation": explanation, "advice": advice},
        )


def unseed(apps, schema_editor):
    apps.get_model("ml", "IngredientFamily").objects.filter(slug__in=[slug for slug, _, _ in FAMILIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("ml", "0003_recommendations_routines")]

    operations = [migrations.RunPython(seed, unseed)]
