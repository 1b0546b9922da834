"""Demo catalog for ``manage.py seed_demo``: brands, a category tree, ingredients, products
(whose ingredients, concerns and skin types agree) and generated product images.

Idempotent: rows are keyed by slug / SKU (``DEMO-000001``...), so a re-run only tops up
what is missing. ``--scale`` multiplies the product count (300 per 1.0; ``--scale 34``
gives ~10,200 products). Products are generated deterministically and written with
``bulk_create`` in batches, so 10,000 products take well under a minute.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from shop.accounts.models import STAFF_ROLES
from shop.catalog.models import (
    Brand,
    Category,
    Ingredient,
    Product,
    ProductIngredient,
    ProductMedia,
    ProductStatus,
    ProductType,
    ProductVariant,
    UsageTime,
    VariantKind,
)
from shop.catalog.services import build_search_document
from skincare.demo import register_demo_step

PRODUCTS_PER_SCALE = 300
IMAGE_LIMIT = 300  # generated images (through the files registry) for the first N products
BATCH = 1000
SKU_PREFIX = "DEMO-"

BRANDS = [
    # name, country, colour (label of the generated images)
    ("Lotus Lab", "Cambodia", "#d9768f"),
    ("Mekong Botanicals", "Cambodia", "#4f8a5b"),
    ("Angkor Derm", "Cambodia", "#b5813d"),
    ("Kampot Pure", "Cambodia", "#3f6f8f"),
    ("Tonle Naturals", "Cambodia", "#6c9a8b"),
    ("Seoul Dew", "South Korea", "#88b4d9"),
    ("Sora Skin", "Japan", "#e5a4b4"),
    ("Derma Theory", "France", "#5b5f97"),
    ("Clear Ritual", "United States", "#2f9c95"),
    ("Hydra Bloom", "South Korea", "#7fb7be"),
    ("Pure Formula", "United Kingdom", "#444b6e"),
    ("Bayon Beauty", "Cambodia", "#c97b63"),
]

# slug, name, Khmer name, children
CATEGORIES = [
    ("cleansers", "Cleansers", "ផលិតផលលាងសម្អាតមុខ", [
        ("gel-cleansers", "Gel cleansers", "ជែលលាងមុខ"),
        ("cream-cleansers", "Cream cleansers", "ក្រែមលាងមុខ"),
        ("oil-balm-cleansers", "Oil & balm cleansers", "ប្រេងលាងមុខ"),
        ("micellar-water", "Micellar water", "ទឹកមីសែឡា"),
    ]),
    ("toners-essences", "Toners & essences", "ទឹកបិទរន្ធញើស និងអេសង់", [
        ("toners", "Toners", "ទឹកបិទរន្ធញើស"),
        ("essences", "Essences", "អេសង់"),
        ("face-mists", "Face mists", "ទឹកបាញ់មុខ"),
    ]),
    ("serums", "Serums & ampoules", "សេរ៉ូម", []),
    ("moisturisers", "Moisturisers", "ក្រែមផ្តល់សំណើម", [
        ("gel-creams", "Gel creams", "ជែលក្រែម"),
        ("rich-creams", "Rich creams", "ក្រែមខាប់"),
        ("face-oils", "Face oils", "ប្រេងលាបមុខ"),
    ]),
    ("sunscreens", "Sunscreens", "ឡេការពារកម្តៅថ្ងៃ", [
        ("chemical-sunscreens", "Chemical sunscreens", "ឡេការពារថ្ងៃគីមី"),
        ("mineral-sunscreens", "Mineral sunscreens", "ឡេការពារថ្ងៃរ៉ែ"),
    ]),
    ("treatments", "Treatments", "ការព្យាបាល", [
        ("exfoliants", "Exfoliants", "ផលិតផលដុសកោសិកាស្លាប់"),
        ("spot-treatments", "Spot treatments", "ថ្នាំព្យាបាលមុន"),
        ("retinoids", "Retinoids", "រ៉េទីណូអ៊ីត"),
    ]),
    ("masks", "Masks", "ម៉ាស់មុខ", [
        ("sheet-masks", "Sheet masks", "ម៉ាស់ក្រដាស"),
        ("wash-off-masks", "Wash-off masks", "ម៉ាស់លាងចេញ"),
        ("sleeping-masks", "Sleeping masks", "ម៉ាស់ពេលគេង"),
    ]),
    ("eye-care", "Eye care", "ថែរក្សាភ្នែក", []),
    ("lip-care", "Lip care", "ថែរក្សាបបូរមាត់", []),
]  # fmt: skip

# name, Khmer name, INCI, concerns, skin types it suits, benefits
INGREDIENTS = [
    ("Niacinamide", "នីអាស៊ីណាមីត", "Niacinamide", ["pores", "oiliness", "dark_spots", "acne"],
     ["oily", "combination", "acne", "normal"], ["oil control", "minimises pores", "evens tone"]),
    ("Hyaluronic acid", "អាស៊ីតអ៊ីយ៉ាលុយរ៉ូនិក", "Sodium Hyaluronate", ["dryness", "fine_lines"],
     ["all"], ["deep hydration", "plumps fine lines"]),
    ("Salicylic acid", "អាស៊ីតសាលីស៊ីលិក", "Salicylic Acid", ["acne", "pores", "oiliness"],
     ["oily", "acne", "combination"], ["unclogs pores", "clears blemishes"]),
    ("Glycolic acid", "អាស៊ីតគ្លីកូលិក", "Glycolic Acid", ["texture", "dullness", "dark_spots"],
     ["normal", "oily", "combination"], ["smooths texture", "brightens"]),
    ("Lactic acid", "អាស៊ីតឡាក់ទិក", "Lactic Acid", ["texture", "dryness", "dullness"],
     ["dry", "normal", "combination"], ["gentle exfoliation", "hydrates"]),
    ("Vitamin C", "វីតាមីនសេ", "Ascorbic Acid", ["dark_spots", "dullness", "hyperpigmentation", "aging"],
     ["normal", "combination", "oily", "dry"], ["brightens", "antioxidant protection"]),
    ("Retinol", "រ៉េទីណុល", "Retinol", ["aging", "fine_lines", "texture", "acne"],
     ["normal", "oily", "combination"], ["renews skin", "softens wrinkles"]),
    ("Bakuchiol", "បាគូឈីអុល", "Bakuchiol", ["aging", "fine_lines", "sensitivity"],
     ["sensitive", "dry", "normal"], ["gentle retinol alternative"]),
    ("Ceramides", "សេរ៉ាមីត", "Ceramide NP", ["dryness", "sensitivity", "redness"],
     ["dry", "sensitive", "normal"], ["repairs the skin barrier", "locks in moisture"]),
    ("Centella asiatica", "ត្រចៀកក្រាញ់", "Centella Asiatica Extract", ["redness", "sensitivity", "acne"],
     ["sensitive", "acne", "combination"], ["soothes", "calms redness"]),
    ("Tea tree oil", "ប្រេងដើមតែ", "Melaleuca Alternifolia Leaf Oil", ["acne", "oiliness"],
     ["oily", "acne"], ["purifies", "fights breakouts"]),
    ("Azelaic acid", "អាស៊ីតអាហ្សេឡាអ៊ីក", "Azelaic Acid", ["redness", "acne", "hyperpigmentation"],
     ["sensitive", "acne", "combination"], ["reduces redness", "fades marks"]),
    ("Zinc oxide", "ស័ង្កសីអុកស៊ីត", "Zinc Oxide", ["sensitivity", "redness"],
     ["all"], ["broad-spectrum UV protection", "gentle on sensitive skin"]),
    ("Squalane", "ស្គូឡាន", "Squalane", ["dryness", "fine_lines"],
     ["dry", "normal", "sensitive"], ["lightweight nourishment"]),
    ("Panthenol", "ប៉ង់តេណុល", "Panthenol", ["sensitivity", "redness", "dryness"],
     ["all"], ["soothes", "supports healing"]),
    ("Peptides", "ប៉ិបទីត", "Palmitoyl Tripeptide-1", ["aging", "fine_lines"],
     ["normal", "dry", "combination"], ["firms", "smooths"]),
    ("Snail mucin", "ទឹករំអិលខ្យង", "Snail Secretion Filtrate", ["texture", "dryness", "scarring"],
     ["dry", "normal", "combination"], ["repairs", "hydrates"]),
    ("Alpha arbutin", "អាល់ហ្វាអាប៊ូទីន", "Alpha-Arbutin", ["dark_spots", "hyperpigmentation"],
     ["all"], ["fades dark spots"]),
    ("Tranexamic acid", "អាស៊ីតត្រាណិចសាមិក", "Tranexamic Acid", ["hyperpigmentation", "dark_spots"],
     ["all"], ["targets melasma", "evens tone"]),
    ("Green tea", "តែបៃតង", "Camellia Sinensis Leaf Extract", ["oiliness", "redness", "aging"],
     ["oily", "combination", "sensitive"], ["antioxidant", "balances oil"]),
    ("Caffeine", "កាហ្វេអ៊ីន", "Caffeine", ["dark_circles"],
     ["all"], ["de-puffs", "brightens dark circles"]),
    ("Kaolin clay", "ដីឥដ្ឋកាអូលីន", "Kaolin", ["oiliness", "pores"],
     ["oily", "combination", "acne"], ["absorbs oil", "refines pores"]),
    ("Rice extract", "ចំរាញ់អង្ករ", "Oryza Sativa Extract", ["dullness", "dark_spots"],
     ["all"], ["brightens", "softens"]),
    ("Mugwort", "ស្លឹកគ្រៃ", "Artemisia Vulgaris Extract", ["sensitivity", "redness"],
     ["sensitive", "acne"], ["calms irritation"]),
    ("Propolis", "ប្រូប៉ូលីស", "Propolis Extract", ["acne", "dullness"],
     ["all"], ["nourishes", "gives a healthy glow"]),
    ("Shea butter", "ប៊ឺសៀ", "Butyrospermum Parkii Butter", ["dryness"],
     ["dry"], ["rich moisture"]),
    ("Benzoyl peroxide", "បេនហ្សូអ៊ីលពេរ៉ុកស៊ីត", "Benzoyl Peroxide", ["acne"],
     ["oily", "acne"], ["kills acne bacteria"]),
    ("Sulfur", "ស្ពាន់ធ័រ", "Sulfur", ["acne", "oiliness"],
     ["oily", "acne"], ["dries out blemishes"]),
    ("Allantoin", "អាល់ឡង់តូអ៊ីន", "Allantoin", ["sensitivity", "dryness"],
     ["all"], ["softens", "soothes"]),
    ("Tinosorb S", "ទីណូសប អេស", "Bis-Ethylhexyloxyphenol Methoxyphenyl Triazine", ["aging", "dark_spots"],
     ["all"], ["high UVA protection"]),
]  # fmt: skip

# category slug -> product type, Khmer noun, name templates, hero ingredients, price range, sizes
LINES = {
    "gel-cleansers": (ProductType.CLEANSER, "ជែលលាងមុខ", ["{i} Foaming Gel Cleanser", "{i} Clarifying Wash"],
                      ["Salicylic acid", "Tea tree oil", "Green tea", "Centella asiatica", "Niacinamide"], (6, 18)),
    "cream-cleansers": (ProductType.CLEANSER, "ក្រែមលាងមុខ", ["{i} Hydrating Cream Cleanser", "Gentle {i} Milk Wash"],
                        ["Ceramides", "Hyaluronic acid", "Panthenol", "Allantoin", "Rice extract"], (8, 20)),
    "oil-balm-cleansers": (ProductType.CLEANSER, "ប្រេងលាងមុខ", ["{i} Cleansing Balm", "{i} Cleansing Oil"],
                           ["Squalane", "Green tea", "Rice extract", "Mugwort"], (12, 28)),
    "micellar-water": (ProductType.CLEANSER, "ទឹកមីសែឡា", ["{i} Micellar Water"],
                       ["Panthenol", "Centella asiatica", "Rice extract"], (5, 14)),
    "toners": (ProductType.TONER, "ទឹកបិទរន្ធញើស", ["{i} Balancing Toner", "{i} Exfoliating Toner", "{i} Calming Toner"],
               ["Glycolic acid", "Lactic acid", "Centella asiatica", "Mugwort", "Green tea", "Niacinamide"], (9, 24)),
    "essences": (ProductType.ESSENCE, "អេសង់", ["{i} First Essence", "{i} Treatment Essence"],
                 ["Snail mucin", "Rice extract", "Propolis", "Hyaluronic acid"], (14, 38)),
    "face-mists": (ProductType.MIST, "ទឹកបាញ់មុខ", ["{i} Hydrating Mist"],
                   ["Hyaluronic acid", "Green tea", "Centella asiatica"], (8, 19)),
    "serums": (ProductType.SERUM, "សេរ៉ូម", ["{i} {c}% Serum", "{i} Brightening Ampoule", "{i} Booster Serum"],
               ["Niacinamide", "Vitamin C", "Hyaluronic acid", "Alpha arbutin", "Tranexamic acid", "Peptides",
                "Azelaic acid", "Bakuchiol", "Propolis", "Snail mucin"], (12, 45)),
    "gel-creams": (ProductType.MOISTURIZER, "ជែលក្រែម", ["{i} Oil-Free Gel Cream", "{i} Water Gel"],
                   ["Hyaluronic acid", "Niacinamide", "Green tea", "Centella asiatica"], (12, 32)),
    "rich-creams": (ProductType.MOISTURIZER, "ក្រែមខាប់", ["{i} Barrier Repair Cream", "{i} Rich Night Cream"],
                    ["Ceramides", "Shea butter", "Peptides", "Squalane", "Panthenol"], (15, 48)),
    "face-oils": (ProductType.FACE_OIL, "ប្រេងលាបមុខ", ["{i} Facial Oil"], ["Squalane", "Bakuchiol"], (18, 42)),
    "chemical-sunscreens": (ProductType.SUNSCREEN, "ឡេការពារកម្តៅថ្ងៃ", ["Daily UV Sunscreen SPF50+ with {i}",
                            "Invisible Fluid Sunscreen SPF50 with {i}"],
                            ["Tinosorb S", "Niacinamide", "Hyaluronic acid", "Rice extract"], (10, 30)),
    "mineral-sunscreens": (ProductType.SUNSCREEN, "ឡេការពារកម្តៅថ្ងៃ", ["Mineral Sunscreen SPF50 with {i}",
                           "Tinted Mineral Sunscreen SPF30 with {i}"],
                           ["Zinc oxide", "Centella asiatica", "Panthenol"], (12, 32)),
    "exfoliants": (ProductType.EXFOLIANT, "ផលិតផលដុសកោសិកាស្លាប់", ["{i} {c}% Liquid Exfoliant", "{i} Peeling Solution"],
                   ["Glycolic acid", "Lactic acid", "Salicylic acid"], (10, 35)),
    "spot-treatments": (ProductType.TREATMENT, "ថ្នាំព្យាបាលមុន", ["{i} Spot Treatment", "{i} Blemish Patch Gel"],
                        ["Benzoyl peroxide", "Sulfur", "Salicylic acid", "Tea tree oil", "Azelaic acid"], (6, 20)),
    "retinoids": (ProductType.TREATMENT, "រ៉េទីណូអ៊ីត", ["{i} {c}% Night Serum", "Gentle {i} Night Cream"],
                  ["Retinol", "Bakuchiol"], (14, 48)),
    "sheet-masks": (ProductType.MASK, "ម៉ាស់ក្រដាស", ["{i} Sheet Mask"],
                    ["Hyaluronic acid", "Centella asiatica", "Rice extract", "Snail mucin", "Vitamin C"], (2, 6)),
    "wash-off-masks": (ProductType.MASK, "ម៉ាស់លាងចេញ", ["{i} Clay Mask", "{i} Wash-Off Mask"],
                       ["Kaolin clay", "Green tea", "Mugwort", "Glycolic acid"], (12, 30)),
    "sleeping-masks": (ProductType.MASK, "ម៉ាស់ពេលគេង", ["{i} Sleeping Mask"],
                       ["Hyaluronic acid", "Ceramides", "Peptides", "Propolis"], (14, 34)),
    "eye-care": (ProductType.EYE_CARE, "ក្រែមបំប៉នភ្នែក", ["{i} Eye Cream", "{i} Eye Serum"],
                 ["Caffeine", "Peptides", "Retinol", "Hyaluronic acid"], (14, 45)),
    "lip-care": (ProductType.LIP_CARE, "ក្រែមលាបបបូរមាត់", ["{i} Lip Balm", "{i} Lip Sleeping Mask"],
                 ["Shea butter", "Squalane", "Panthenol"], (4, 16)),
}  # fmt: skip

CONCENTRATIONS = {
    "Niacinamide": ["5%", "10%"],
    "Vitamin C": ["10%", "15%", "20%"],
    "Glycolic acid": ["5%", "7%"],
    "Lactic acid": ["5%", "10%"],
    "Salicylic acid": ["0.5%", "2%"],
    "Retinol": ["0.2%", "0.5%", "1%"],
    "Azelaic acid": ["10%"],
    "Alpha arbutin": ["2%"],
    "Tranexamic acid": ["3%", "5%"],
    "Benzoyl peroxide": ["2.5%", "5%"],
}
EDITIONS = ["", "", "", " Plus", " Intense", " Light", " Sensitive", " Pro", " Advanced", " Mini"]
USAGE = {
    ProductType.SUNSCREEN: UsageTime.AM,
    ProductType.FACE_OIL: UsageTime.PM,
    ProductType.MASK: UsageTime.WEEKLY,
    ProductType.EXFOLIANT: UsageTime.PM,
}
SIZES = {ProductType.SUNSCREEN: ["50 ml", "100 ml"], ProductType.CLEANSER: ["150 ml", "300 ml"]}


BENEFITS = {name: benefits for name, *_rest, benefits in INGREDIENTS}


def _money(value):
    return Decimal(str(round(value, 2)))


def seed_taxonomy(*, scale, progress):
    """Brands, the category tree and the ingredients (a few dozen rows each)."""
    total = len(BRANDS) + len(CATEGORIES) + len(INGREDIENTS)
    done = 0
    for name, country, _colour in BRANDS:
        Brand.objects.get_or_create(
            slug=slugify(name),
            defaults={
                "name": name,
                "country": country,
                "description": f"{name} makes thoughtful, effective skincare ({country}).",
            },
        )
        done += 1
        progress(done, total, "brands, categories, ingredients")
    for position, (slug, name, name_km, children) in enumerate(CATEGORIES, start=1):
        parent, _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_km": name_km, "sort_order": position}
        )
        for child_position, (child_slug, child_name, child_km) in enumerate(children, start=1):
            Category.objects.get_or_create(
                slug=child_slug,
                defaults={"name": child_name, "name_km": child_km, "parent": parent, "sort_order": child_position},
            )
        done += 1
        progress(done, total, "brands, categories, ingredients")
    for name, name_km, inci, concerns, _skin, benefits in INGREDIENTS:
        Ingredient.objects.get_or_create(
            slug=slugify(name),
            defaults={"name": name, "name_km": name_km, "inci_name": inci, "concerns": concerns, "benefits": benefits},
        )
        done += 1
        progress(done, total, "brands, categories, ingredients")
    counts = (Brand.objects.count(), Category.objects.count(), Ingredient.objects.count())
    return "{} brands, {} categories, {} ingredients".format(*counts)


def _ingredient_profile():
    return {name: (skin, concerns) for name, _km, _inci, concerns, skin, _b in INGREDIENTS}


def build_product(index, *, brands, categories, ingredients, now):
    """Product number ``index`` (deterministic) with its key ingredients and variants."""
    rng = random.Random(index)
    profile = _ingredient_profile()
    category_slug = rng.choice(list(LINES))
    product_type, noun_km, templates, heroes, (low, high) = LINES[category_slug]
    brand = brands[rng.randrange(len(brands))]
    hero = rng.choice(heroes)
    supporting = rng.sample([h for h in heroes if h != hero] or [hero], k=min(2, max(0, len(heroes) - 1)))
    supporting = [s for s in supporting if s != hero][: rng.randint(0, 2)]
    concentration = rng.choice(CONCENTRATIONS.get(hero, [""]))
    template = rng.choice(templates)
    if not concentration:
        template = template.replace(" {c}%", "")
    base_name = template.format(i=hero, c=concentration.rstrip("%"))
    name = f"{brand.name} {base_name}{EDITIONS[index % len(EDITIONS)]}"
    hero_km = ingredients[hero].name_km

    skin_types, concerns = set(), set()
    for ingredient_name in [hero, *supporting]:
        skin, ingredient_concerns = profile[ingredient_name]
        skin_types.update(skin)
        concerns.update(ingredient_concerns)
    if "all" in skin_types:
        skin_types = {"all"}
    gentle = not ({"Retinol", "Glycolic acid", "Benzoyl peroxide", "Salicylic acid", "Sulfur"} & {hero, *supporting})
    if gentle and "all" not in skin_types and rng.random() < 0.5:
        skin_types.add("sensitive")

    price = _money(rng.uniform(low, high))
    on_sale = rng.random() < 0.25
    roll = rng.random()
    status = ProductStatus.ACTIVE if roll < 0.92 else (ProductStatus.DRAFT if roll < 0.97 else ProductStatus.ARCHIVED)
    published = now - timedelta(days=rng.randint(0, 730), minutes=rng.randint(0, 1440))
    stock = 0 if rng.random() < 0.08 else rng.choice([rng.randint(1, 5), rng.randint(10, 400)])
    benefits = [b for ingredient in [hero, *supporting] for b in BENEFITS[ingredient]]
    product = Product(
        name=name[:200],
        name_km=f"{noun_km} {hero_km} {brand.name}",
        slug=f"{slugify(name)[:200]}-{index}",
        sku=f"{SKU_PREFIX}{index:06d}",
        barcode=f"884{index:09d}{index % 10}",
        brand=brand,
        category=categories[category_slug],
        product_type=product_type,
        short_description=f"{base_name} for {', '.join(sorted(concerns)[:3]).replace('_', ' ')}.",
        description=(
            f"{name} combines {hero.lower()}"
            + (f" with {' and '.join(s.lower() for s in supporting)}" if supporting else "")
            + f". It helps with {', '.join(sorted(concerns)).replace('_', ' ')} and suits "
            + ("every skin type" if "all" in skin_types else f"{', '.join(sorted(skin_types))} skin")
            + ". Fragrance-free and tested on Cambodian skin in hot, humid weather."
        ),
        description_km=f"{noun_km}ដែលមាន{hero_km} សម្រាប់ថែរក្សាស្បែកប្រចាំថ្ងៃ។",
        key_benefits=benefits[:4],
        how_to_use="Apply to clean skin. Follow with moisturiser"
        + (" and sunscreen in the morning." if product_type != ProductType.SUNSCREEN else ". Reapply every two hours."),
        usage_time=USAGE.get(product_type, rng.choice([UsageTime.AM_PM, UsageTime.PM, UsageTime.AM])),
        attributes={"volume": rng.choice(["15 ml", "30 ml", "50 ml", "100 ml", "150 ml"]), "fragrance": "none"},
        price=price,
        compare_at_price=_money(float(price) * rng.uniform(1.1, 1.4)) if on_sale else None,
        cost_price=_money(float(price) * rng.uniform(0.35, 0.55)),
        stock_quantity=stock,
        weight_grams=rng.randint(20, 350),
        length_mm=rng.randint(30, 60),
        width_mm=rng.randint(30, 60),
        height_mm=rng.randint(60, 180),
        skin_types=sorted(skin_types),
        concerns=sorted(concerns),
        full_ingredients=", ".join(
            ["Aqua", "Glycerin", *[ingredients[n].inci_name for n in [hero, *supporting]], "Butylene Glycol"]
        ),
        suitable_for_sensitive_skin="sensitive" in skin_types or "all" in skin_types,
        dermatologist_tested=rng.random() < 0.6,
        cruelty_free=rng.random() < 0.7,
        status=status,
        is_featured=status == ProductStatus.ACTIVE and rng.random() < 0.06,
        published_at=published if status != ProductStatus.DRAFT else None,
        meta_title=name[:160],
        meta_description=f"Buy {name} online in Cambodia."[:320],
        # Rating, review, sales and view counters start at zero: only real reviews, orders and
        # views move them (the demo steps of those apps create them).
    )
    product_ingredients = [(ingredients[hero], concentration)] + [(ingredients[s], "") for s in supporting]
    product.search_document = build_search_document(product, [i for i, _c in product_ingredients])
    variants = []
    if product_type in SIZES and rng.random() < 0.4:
        for position, size in enumerate(SIZES[product_type]):
            factor = Decimal("1") if position == 0 else Decimal("1.7")
            variants.append(
                ProductVariant(
                    kind=VariantKind.SIZE,
                    name=size,
                    sku=f"{product.sku}-{position + 1}",
                    price=(price * factor).quantize(Decimal("0.01")),
                    stock_quantity=rng.randint(0, 100),
                    allow_backorders=product.allow_backorders,
                    sort_order=position,
                )
            )
    return product, product_ingredients, variants


def seed_products(*, scale, progress):
    target = max(1, round(PRODUCTS_PER_SCALE * scale))
    brands = list(Brand.objects.filter(slug__in=[slugify(b[0]) for b in BRANDS]).order_by("name"))
    categories = {c.slug: c for c in Category.objects.filter(slug__in=list(LINES))}
    ingredients = {i.name: i for i in Ingredient.objects.all()}
    existing = set(Product.objects.filter(sku__startswith=SKU_PREFIX).values_list("sku", flat=True))
    now = timezone.now()
    missing = [i for i in range(1, target + 1) if f"{SKU_PREFIX}{i:06d}" not in existing]
    progress(0, len(missing), "products")
    for start in range(0, len(missing), BATCH):
        chunk = [
            build_product(i, brands=brands, categories=categories, ingredients=ingredients, now=now)
            for i in missing[start : start + BATCH]
        ]
        products = Product.objects.bulk_create([p for p, _i, _v in chunk])
        links, variants = [], []
        for product, (_p, product_ingredients, product_variants) in zip(products, chunk, strict=True):
            for position, (ingredient, concentration) in enumerate(product_ingredients):
                links.append(
                    ProductIngredient(
                        product=product, ingredient=ingredient, concentration=concentration, sort_order=position
                    )
                )
            for variant in product_variants:
                variant.product = product
                variants.append(variant)
        ProductIngredient.objects.bulk_create(links)
        ProductVariant.objects.bulk_create(variants)
        progress(min(start + BATCH, len(missing)), len(missing), "products")
    return f"{len(missing)} products created ({Product.objects.count()} in the catalog)"


def seed_images(*, scale, progress):
    """One generated image per product (first IMAGE_LIMIT demo products), via the files registry."""
    from shop.catalog.media import _files_services

    if _files_services() is None:
        return "skipped product images: shop.files.services is not available yet"
    from django.contrib.auth import get_user_model

    from shop.catalog.demo_images import product_image
    from shop.catalog.services import product_media_upload

    owner = (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(role__in=STAFF_ROLES), is_active=True)
        .order_by("pk")
        .first()
    )
    if owner is None:
        return "skipped product images: no staff account to own them (run the accounts step first)"
    products = list(
        Product.objects.filter(sku__startswith=SKU_PREFIX, media__isnull=True)
        .select_related("brand")
        .order_by("sku")[:IMAGE_LIMIT]
    )
    with_media = ProductMedia.objects.filter(product__sku__startswith=SKU_PREFIX).values("product").distinct().count()
    products = products[: max(0, IMAGE_LIMIT - with_media)]
    colours = {slugify(name): colour for name, _c, colour in BRANDS}
    for done, product in enumerate(products, start=1):
        upload = product_image(product, colour=colours.get(product.brand.slug, "#8aa"))
        product_media_upload(product=product, uploads=[upload], owner=owner, alt_text=product.name)
        progress(done, len(products), "images")
    return f"{len(products)} product images generated"


def register_demo_steps():
    register_demo_step("catalog-taxonomy", 20, seed_taxonomy)
    register_demo_step("catalog-products", 21, seed_products)
    register_demo_step("catalog-images", 22, seed_images)
