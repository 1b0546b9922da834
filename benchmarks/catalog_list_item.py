"""Rendering the public product list item: ``product_list_item`` (the serializer through
``skincare.api.output.output``) against the hand-built dict it replaced, loaded from a git revision
(with that revision's ``media_payload``) into a temporary module, in the same run. Both render the
same 100 products (loaded once with ``selectors.product_list_queryset``, so no queries are timed);
the answers are checked equal first.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> python manage.py seed_demo --scale 1
    DATABASE_URL=... python benchmarks/catalog_list_item.py [--revision 2b181fb] [--rounds 200]

Prints the median milliseconds per 100 items of each and their ratio (new / old).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")

import django  # noqa: E402

django.setup()

from shop.catalog import selectors  # noqa: E402
from shop.catalog.serializers import product_list_item  # noqa: E402


def module_at(revision, path, name):
    source = subprocess.run(  # noqa: S603 - a fixed git command on our own repository
        ["git", "show", f"{revision}:{path}"],  # noqa: S607
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType(name)
    exec(compile(source, f"{name}.py", "exec"), module.__dict__)  # noqa: S102 - our own file at a commit
    return module


def old_module(revision):
    """The old serializers module, importing the old ``shop.catalog.media`` (its ``media_payload``)."""
    current = sys.modules["shop.catalog.media"]
    sys.modules["shop.catalog.media"] = module_at(revision, "shop/catalog/media.py", "old_catalog_media")
    try:
        return module_at(revision, "shop/catalog/serializers.py", "old_catalog_serializers")
    finally:
        sys.modules["shop.catalog.media"] = current


def median_ms(render, products, rounds):
    render(products)  # warm-up
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        render(products)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--revision", default="2b181fb", help="the commit with the hand-built product_list_item")
    parser.add_argument("--rounds", type=int, default=200)
    options = parser.parse_args()
    old = old_module(options.revision).product_list_item
    products = list(selectors.product_list_queryset().order_by("pk")[:100])
    if len(products) < 100:
        sys.exit(f"{len(products)} products: seed the demo shop first (seed_demo --scale 1)")
    assert [product_list_item(p) for p in products] == [old(p) for p in products], "the answers differ"
    # Interleaved rounds so both see the same load on a shared machine.
    new_ms, old_ms = [], []
    for _ in range(5):
        old_ms.append(median_ms(lambda ps: [old(p) for p in ps], products, options.rounds // 5))
        new_ms.append(median_ms(lambda ps: [product_list_item(p) for p in ps], products, options.rounds // 5))
    old_median, new_median = statistics.median(old_ms), statistics.median(new_ms)
    print(f"100 list items: hand-built dict {old_median:.2f} ms, serializer via output() {new_median:.2f} ms")
    print(f"ratio new/old: {new_median / old_median:.2f}")


if __name__ == "__main__":
    main()
