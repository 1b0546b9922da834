"""Ingredients to look for and to avoid, by concern: a fixed, documented table (docs/skin-analysis.md).

Drawn from common cosmetic-chemistry guidance (what each ingredient is generally used for), not
from the analysis itself; no Django here. Ingredients suggested for one concern and to be
avoided for another are dropped from the suggestions (avoid wins).
"""

RECOMMENDED = {
    "acne": ("salicylic acid", "benzoyl peroxide", "niacinamide", "azelaic acid"),
    "redness": ("centella asiatica", "niacinamide", "azelaic acid", "allantoin"),
    "oiliness": ("niacinamide", "salicylic acid", "zinc PCA", "kaolin clay"),
    "dryness": ("hyaluronic acid", "glycerin", "ceramides", "squalane"),
    "pores": ("salicylic acid", "niacinamide", "retinol"),
    "fine_lines": ("retinol", "peptides", "vitamin C"),
    "dark_spots": ("vitamin C", "niacinamide", "azelaic acid", "tranexamic acid"),
    "texture": ("lactic acid", "glycolic acid", "retinol"),
    "dark_circles": ("caffeine", "peptides", "vitamin C"),
    "dullness": ("vitamin C", "lactic acid", "niacinamide"),
}
AVOID = {
    "acne": ("coconut oil", "isopropyl myristate"),
    "redness": ("fragrance", "denatured alcohol", "menthol", "glycolic acid"),
    "oiliness": ("coconut oil", "mineral oil"),
    "dryness": ("denatured alcohol", "sodium lauryl sulfate", "benzoyl peroxide"),
    "pores": ("coconut oil",),
    "fine_lines": (),
    "dark_spots": ("fragrance",),
    "texture": (),
    "dark_circles": ("fragrance",),
    "dullness": (),
}
# Whatever the concerns: a daily broad-spectrum sunscreen protects every result.
ALWAYS = ("broad-spectrum sunscreen",)


def ingredients_for(concerns):
    """(recommended, avoid) for concern names ordered worst first; each list without repeats."""
    avoid = []
    for concern in concerns:
        for name in AVOID.get(concern, ()):
            if name not in avoid:
                avoid.append(name)
    recommended = []
    for concern in concerns:
        for name in RECOMMENDED.get(concern, ()):
            if name not in recommended and name not in avoid:
                recommended.append(name)
    for name in ALWAYS:
        if name not in recommended:
            recommended.append(name)
    return recommended, avoid
