"""Hot paths: every shopper-facing endpoint of issue 18 measured from outside, as a ratio to
``/health`` in the same run, against the targets of the issue.

One command, loopback only, bounded time. It

1. prepares a dedicated PostgreSQL database once (``--database-url``, created if missing):
   migrate, ``seed_demo --scale <scale>`` when it has no products, a shopper with
   ``--orders`` orders placed through ``order_place`` (the "order list" and "notifications"
   rows), and stock topped up (``stock_adjust``) on the products the checkout row buys.
   Later runs reuse it (the checks are cheap);
2. for each ``--workers`` count: flushes the Redis database of ``--redis-url`` (it must be
   the benchmark's own), starts gunicorn on ``127.0.0.1:--port`` with ``DEBUG=false``,
   ``NUM_PROXIES=1`` and ``QUERY_COUNT_HEADER=true`` (each answer says how many SQL
   statements it ran), signs demo shoppers in through the API and fills their carts;
3. runs ``--rounds`` rounds; each round measures every row for ``--duration`` seconds with
   ``--concurrency`` clients (threads, one keep-alive connection each), ``/health`` first,
   and prints one table per worker count with the median of the rounds: req/s, p50, p95,
   req/s as a ratio to ``/health`` of the same round, SQL statements per request (median),
   the issue's target and pass/fail. ``--json`` adds the raw figures.

Example (the issue measured at scale 3; seeding it takes minutes on a loaded machine)::

    .venv/bin/python benchmarks/hot_paths.py --scale 3 --workers 2 4 --rounds 3 --duration 8 \\
        --port 8300 --redis-url redis://127.0.0.1:6379/5

Anonymous rows come from 5,000 client addresses (``X-Forwarded-For``) so the anonymous
throttle stays in the path without refusing the run. Signed-in rows use one shopper per
client (JWT from ``POST /api/v1/auth/login``) except order list and notifications, which read
the one shopper with ``--orders`` orders; the server runs with ``THROTTLE_USER=--user-rate``
so that one shopper can be measured (the throttle still runs). Rows:

* cached rows (list, search, summary) cycle a few URLs, detail the 50 best sellers: after the
  warm-up they are mostly hits;
* cold rows make every URL unique (a ``max_price`` above every price, different per request),
  so neither the page nor its total is cached; search cold words / typos use single words from
  product names (typos: one letter dropped, doubled or swapped);
* write rows: each timed request is the row's own and nothing else. ``prepare`` creates
  ``--write-carts`` shoppers per row (``bench-add-…`` / ``bench-checkout-…``: no password hashing,
  a default address, one cart each, JWTs minted in the child with the server's key); each add to
  cart adds one product to the next shopper's empty cart, each checkout pays the next shopper's
  cart (one stocked product, test card). Before every warm-up and round of these rows, outside the
  timed window, a child process empties the add carts, refills the checkout carts, forgets their
  cached lines and caches the shoppers' authentication entries (as the requests a shopper makes
  before adding or paying would). A round that uses every shopper counts the rest as errors.
  ``--legacy-write-steps`` measures them as before session 6, for comparison: add to cart also
  DELETEs the line, checkout also POSTs the product to the cart first, both inside the row's time
  (so their req/s counted two requests' server time as one), with 8 shoppers per row.

Celery: by default the server has no broker, so the work queued after a commit (e-mails, notices,
the recommendation refresh) runs eagerly inside the request, as the issue measured. ``--broker URL``
measures production's setup instead: the server gets ``CELERY_BROKER_URL=URL`` and
``CELERY_TASK_DEFAULT_QUEUE=--queue`` (default ``hot-paths-<port>``, so no other worker on that
broker takes the run's tasks), and one Celery worker (``--concurrency 1``, same environment) reads
that queue for the whole run; it is stopped and the queue purged at the end. After each row the
script also waits until the queue has no message ready, so a row's tasks do not run into the next
row. Each table's heading says which mode ran, e.g.::

    .venv/bin/python benchmarks/hot_paths.py --only checkout --broker amqp://guest:guest@127.0.0.1:5672//
"""

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from catalog import LIST_QUERIES, SEARCH_QUERIES, client_address, percentile  # noqa: E402

ORDERS_EMAIL = "bench-orders@skincare.local"
DEMO_PASSWORD = "skincare-demo"  # noqa: S105 - shop.accounts.demo.DEMO_PASSWORD (printed by seed_demo)
TEST_CARD = "4242424242424242"  # approves with the test payment provider (docs/checkout.md)
CHECKOUT_PRODUCTS = 40
DETAIL_PRODUCTS = 50  # the best sellers: the detail row measures the pages shoppers open most
CHECKOUT_STOCK = 100_000

# (row, target ratio to /health or None, extra condition) in the order the issue lists them.
TARGETS = {
    "health": None,
    "product list, cached page": 0.6,
    "product list / category, cold": 0.25,
    "product detail": 0.6,
    "search, cached": 0.6,
    "search, cold words": 0.15,
    "search, typo": 0.12,
    "reviews list, popular product": 0.3,
    "review summary": 0.4,
    "cart GET (3 lines)": 0.3,
    "add to cart": 0.2,
    "checkout (test card)": 0.08,
    "order list (500 orders)": 0.3,
    "notifications": 0.3,
    # Not in the table (no target): the staff list it names and the pages twinning the API.
    "staff reviews API": None,
    "page: home": None,
    "page: category": None,
    "page: search": None,
    "page: product": None,
}
CHECKOUT_P95_MS = 150


# --------------------------------------------------------------------------------------------
# Preparation, run in a child process with Django set up on the benchmark database.


def prepare(args):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from shop.accounts.models import Address, Role, User
    from shop.cart.services import cart_add_line, cart_for_user
    from shop.catalog.models import Category, Product, ProductStatus
    from shop.catalog.services import stock_adjust
    from shop.orders.models import Order, PaymentMethod
    from shop.orders.services import order_place

    def say(text):
        print(f"[prepare] {text}", file=sys.stderr, flush=True)

    call_command("migrate", verbosity=0)
    if not Product.objects.exists():
        say(f"seeding the demo shop at scale {args.scale} (once per database)")
        call_command("seed_demo", scale=args.scale)
    call_command("collectstatic", interactive=False, verbosity=0)
    active = Product.objects.filter(status=ProductStatus.ACTIVE, variants__isnull=True)
    admin = User.objects.filter(role=Role.ADMIN).order_by("pk").first()

    # Products the checkout row buys: plenty of stock so a long run never runs out.
    stocked = list(active.order_by("-stock_quantity", "pk")[:CHECKOUT_PRODUCTS])
    for product in stocked:
        if product.stock_quantity < CHECKOUT_STOCK // 2:
            stock_adjust(
                product=product,
                delta=CHECKOUT_STOCK - product.stock_quantity,
                reason="received",
                by=admin,
                note="benchmarks/hot_paths.py",
            )

    orders_user = User.objects.filter(email=ORDERS_EMAIL).first()
    if orders_user is None:
        orders_user = User.objects.create_user(
            email=ORDERS_EMAIL, password=DEMO_PASSWORD, first_name="Bench", last_name="Orders", email_verified=True
        )
    address = Address.objects.filter(user=orders_user).first()
    if address is None:
        address = Address.objects.create(
            user=orders_user,
            first_name="Bench",
            last_name="Orders",
            address_line1="1 Street 240",
            city="Phnom Penh",
            postal_code="12000",
            country="KH",
            phone="+85512345678",
            is_default=True,
        )
    have = Order.objects.filter(user=orders_user).count()
    if have < args.orders:
        say(f"placing {args.orders - have} orders for {ORDERS_EMAIL} through order_place (once per database)")
    rng = random.Random(18)
    # The per-purchase recommendation refresh (seconds each, eager without a broker) is not part of
    # building this fixture; everything else of order_place runs.
    from unittest import mock

    no_refresh = mock.patch("ml.rec_services._queue_refresh", lambda user_id: None)
    no_refresh.start()
    for n in range(have, args.orders):
        cart = cart_for_user(user=orders_user)
        for product in rng.sample(stocked, 2):
            cart_add_line(cart=cart, product_id=product.pk, quantity=1)
        order_place(
            user=orders_user,
            cart=cart,
            idempotency_key=f"bench-{n}",
            payment_method=PaymentMethod.CASH_ON_DELIVERY,
            address_id=address.pk,
        )
        if (n + 1) % 50 == 0:
            say(f"  {n + 1}/{args.orders} orders")
    no_refresh.stop()

    shoppers = list(
        User.objects.filter(email__startswith="shopper", role=Role.CUSTOMER, is_active=True)
        .exclude(addresses=None)
        .order_by("pk")
        .values_list("email", flat=True)[: 3 * args.concurrency]
    )
    if len(shoppers) < 3 * args.concurrency:
        raise SystemExit(f"need {3 * args.concurrency} demo shoppers with an address, found {len(shoppers)}")
    cart_products = list(active.filter(stock_quantity__gte=20).order_by("pk").values_list("pk", flat=True)[:30])
    pools = write_pools_prepare(args, say) if args.write_carts else {}
    if pools:
        write_carts_reset(pools, [p.pk for p in stocked])
    popular = list(active.order_by("-review_count", "pk").values_list("pk", flat=True)[:5])
    words = set()
    for name in active.values_list("name", flat=True):
        words.update(w.lower() for w in name.split() if w.isascii() and w.isalpha() and len(w) >= 5)
    vacuum_analyze(say)
    return {
        "shoppers": shoppers,
        "orders_email": ORDERS_EMAIL,
        "orders": Order.objects.filter(user=orders_user).count(),
        "checkout_products": [p.pk for p in stocked],
        "cart_products": cart_products,
        "write_pools": pools,
        "popular_products": popular,
        "popular_reviews": active.get(pk=popular[0]).review_count,
        "slugs": list(active.order_by("-sales_count", "pk").values_list("slug", flat=True)[:200]),
        "categories": list(
            Category.objects.filter(is_active=True, parent__isnull=True)
            .order_by("sort_order", "pk")
            .values_list("slug", flat=True)
        ),
        "words": sorted(words),
        "active_products": active.count(),
    }


def vacuum_analyze(say):
    """``VACUUM (ANALYZE)`` the benchmark database before each run, as autovacuum keeps a live shop's tables.
    Seeding rewrites each product row several times, and a database cloned with ``createdb -T`` starts with
    no dead-row counts, so autovacuum never comes: seen here, 2,940 dead rows beside 901 live ones made every
    sequential scan of ``catalog_product`` read 3,000 pages, and tripled PostgreSQL's CPU per cold search."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    say("VACUUM (ANALYZE)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


# The write rows' shoppers (not with --legacy-write-steps): ``--write-carts`` per row, one cart each,
# so that each timed request is the row's own request and its set-up is done before the round.
WRITE_POOLS = ("add", "checkout")
POOL_ROWS = ("add to cart", "checkout (test card)")


def write_pool_email(group, n):
    return f"bench-{group}-{n:05d}@skincare.local"


def write_pools_rows(args):
    """{group: [(user id, cart id, default address id)]} of the write rows' shoppers, in e-mail order."""
    from shop.accounts.models import Address
    from shop.cart.models import Cart

    pools = {}
    for group in WRITE_POOLS:
        emails = [write_pool_email(group, n) for n in range(args.write_carts)]
        carts = {
            email: (user_id, cart_id)
            for email, user_id, cart_id in Cart.objects.filter(user__email__in=emails).values_list(
                "user__email", "user_id", "pk"
            )
        }
        defaults = Address.objects.filter(user__email__in=emails, is_default=True)
        addresses = dict(defaults.values_list("user_id", "pk"))
        pools[group] = [(*carts[e], addresses[carts[e][0]]) for e in emails]
    return pools


def write_pools_prepare(args, say):
    """Creates what is missing of the write rows' shoppers: users (one unusable password for all: no
    hashing per user), a default address and an empty cart each. Returns their rows with a JWT
    access token each, minted here with the server's key and lifetime (no sign-in per shopper)."""
    from django.contrib.auth.hashers import make_password
    from rest_framework_simplejwt.tokens import AccessToken

    from shop.accounts.models import Address, User
    from shop.cart.models import Cart

    password = make_password(None)
    for group in WRITE_POOLS:
        emails = [write_pool_email(group, n) for n in range(args.write_carts)]
        have = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        missing = [e for e in emails if e not in have]
        if missing:
            say(f"creating {len(missing)} shoppers for the {group} row (once per database)")
            User.objects.bulk_create(
                [
                    User(email=e, password=password, first_name="Bench", last_name=group.title(), email_verified=True)
                    for e in missing
                ],
                batch_size=1000,
            )
        users = list(User.objects.filter(email__in=emails).values_list("pk", flat=True))
        with_address = set(Address.objects.filter(user_id__in=users, is_default=True).values_list("user_id", flat=True))
        Address.objects.bulk_create(
            [
                Address(
                    user_id=pk,
                    first_name="Bench",
                    last_name=group.title(),
                    address_line1="1 Street 240",
                    city="Phnom Penh",
                    postal_code="12000",
                    country="KH",
                    phone="+85512345678",
                    is_default=True,
                )
                for pk in users
                if pk not in with_address
            ],
            batch_size=1000,
        )
        with_cart = set(Cart.objects.filter(user_id__in=users).values_list("user_id", flat=True))
        Cart.objects.bulk_create([Cart(user_id=pk) for pk in users if pk not in with_cart], batch_size=1000)
    return {
        group: [
            {
                "user_id": user_id,
                "cart_id": cart_id,
                "address_id": address_id,
                "access": str(AccessToken.for_user(User(pk=user_id))),
            }
            for user_id, cart_id, address_id in rows
        ]
        for group, rows in write_pools_rows(args).items()
    }


def write_carts_reset(pools, checkout_products):
    """Before a round, outside its timed window: the add row's carts empty, every checkout row's cart
    holding one stocked product (the checkout row's answer is then one line, as before), each changed
    cart's cached lines forgotten; and the shoppers' authentication entries cached, as after the
    requests a shopper makes before adding or checking out (``shop.accounts.authentication``)."""
    import time as clock

    from django.core.cache import cache
    from django.db import transaction
    from django.utils import timezone

    from shop.accounts import authentication
    from shop.accounts.models import User
    from shop.cart.cache import cart_cache_invalidate
    from shop.cart.models import Cart, CartLine

    add = [row["cart_id"] for row in pools["add"]]
    checkout = [row["cart_id"] for row in pools["checkout"]]
    with transaction.atomic():
        emptied = set(CartLine.objects.filter(cart_id__in=add).values_list("cart_id", flat=True))
        CartLine.objects.filter(cart_id__in=emptied).delete()
        filled = set(CartLine.objects.filter(cart_id__in=checkout).values_list("cart_id", flat=True))
        refill = [cart_id for cart_id in checkout if cart_id not in filled]
        CartLine.objects.bulk_create(
            [
                CartLine(cart_id=cart_id, product_id=checkout_products[n % len(checkout_products)], quantity=1)
                for n, cart_id in enumerate(refill)
            ],
            batch_size=1000,
        )
        changed = sorted(emptied | set(refill))
        Cart.objects.filter(pk__in=changed).update(coupon=None, updated_at=timezone.now())
    for cart_id in changed:
        cart_cache_invalidate(cart_id)
    # What ``authentication.auth_user_get`` stores on a miss, for all of them at once.
    user_ids = [row["user_id"] for group in WRITE_POOLS for row in pools[group]]
    keys = {pk: authentication._keys(pk) for pk in user_ids}
    versions = cache.get_many([version for _, version in keys.values()])
    for _, version in keys.values():
        if version not in versions:
            cache.add(version, clock.time_ns(), timeout=None)
    versions = cache.get_many([version for _, version in keys.values()])
    id_at = authentication.AUTH_FIELDS.index("id")
    rows = User.objects.filter(pk__in=user_ids).values_list(*authentication.AUTH_FIELDS)
    entry, version = {}, {}
    for row in rows:
        entry_key, version_key = keys[row[id_at]]
        if version_key in versions:
            entry[entry_key] = (versions[version_key], row)
    cache.set_many(entry, authentication.TIMEOUT)
    return {"emptied": len(emptied), "refilled": len(refill)}


def write_carts_reset_child(args):
    """``--reset-carts-only``: ``write_carts_reset`` in a child process with Django set up."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from shop.catalog.models import Product, ProductStatus

    active = Product.objects.filter(status=ProductStatus.ACTIVE, variants__isnull=True)
    stocked = list(active.order_by("-stock_quantity", "pk").values_list("pk", flat=True)[:CHECKOUT_PRODUCTS])
    pools = {
        group: [{"user_id": u, "cart_id": c, "address_id": a} for u, c, a in rows]
        for group, rows in write_pools_rows(args).items()
    }
    return write_carts_reset(pools, stocked)


# --------------------------------------------------------------------------------------------
# HTTP side: standard library only.


# How every successful JSON answer of the API begins (``skincare.api``'s envelope, keys in this order).
ENVELOPE_SUCCESS = b'{"status":"success"'


class Client:
    """One keep-alive connection to the server."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=60)

    def request(self, method, path, *, body=None, headers=None, parse=True):
        """Returns (status, parsed JSON or None, query count or None, elapsed ms).

        ``parse=False`` (the timed requests, whose answers no step reads): the JSON is not parsed; the
        start of an API answer is checked against the envelope instead (``ENVELOPE_SUCCESS``), and None is
        returned for it. Parsing is the client's work, not the server's: on a machine whose cores the clients
        share with the server, it took CPU from the server in proportion to the answer's size (about 0.1 ms
        for a page of 20 products, a few µs for ``/health``), lowering the ratio of every row with a large
        answer (docs/performance.md, "the benchmark's clients")."""
        headers = {"Accept": "application/json", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            raise
        elapsed = (time.perf_counter() - t0) * 1000
        queries = response.getheader("X-Query-Count")
        parsed = None
        status = response.status
        if raw and (response.getheader("Content-Type") or "").startswith("application/json"):
            if parse:
                parsed = json.loads(raw)
            elif status < 300 and path.startswith("/api/") and not raw.startswith(ENVELOPE_SUCCESS):
                status = f"{status} without the success envelope"
        return status, parsed, int(queries) if queries is not None else None, elapsed

    def close(self):
        self.conn.close()


def unique_counter():
    lock, state = threading.Lock(), {"n": 0}

    def next_value():
        with lock:
            state["n"] += 1
            return state["n"]

    return next_value


def typos(word):
    """Misspellings of ``word``: one letter dropped, doubled or two neighbours swapped."""
    out = []
    for i in range(1, len(word) - 1):
        out.append(word[:i] + word[i + 1 :])
        out.append(word[:i] + word[i] + word[i:])
        if word[i] != word[i + 1]:
            out.append(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return out


class Scenarios:
    """Builds, per row, a function ``step(client, worker, n) -> (status, queries, ms, expected)``."""

    def __init__(self, data, sessions, seed, legacy_write_steps=False):
        self.data, self.sessions = data, sessions
        self.legacy_write_steps = legacy_write_steps
        self.unique = unique_counter()
        # The write rows' shoppers: each timed request takes the next one (``pools_reset`` between rounds).
        self.pool_next = {group: unique_counter() for group in WRITE_POOLS}
        self.pool_used = {group: True for group in WRITE_POOLS}
        self.rng = random.Random(seed)
        words = data["words"]
        self.cold_words = words
        self.typo_words = [t for w in words for t in typos(w)]
        self.rng.shuffle(self.typo_words)

    def anon_get(self, paths):
        def step(client, worker, n):
            status, _, queries, ms = client.request(
                "GET", paths[n % len(paths)], headers={"X-Forwarded-For": client_address(n)}, parse=False
            )
            return status, queries, ms, 200

        return step

    def anon_unique(self, make_path):
        def step(client, worker, n):
            path = make_path(self.unique())
            status, _, queries, ms = client.request(
                "GET", path, headers={"X-Forwarded-For": client_address(n)}, parse=False
            )
            return status, queries, ms, 200

        return step

    def auth_get(self, token_of, paths):
        def step(client, worker, n):
            status, _, queries, ms = client.request(
                "GET", paths[n % len(paths)], headers={"Authorization": f"Bearer {token_of(worker)}"}, parse=False
            )
            return status, queries, ms, 200

        return step

    def pool_take(self, group):
        """The next unused shopper of ``group``'s pool, or None when the round has used them all."""
        self.pool_used[group] = True
        n = self.pool_next[group]()
        pool = self.data["write_pools"][group]
        return pool[n - 1] if n <= len(pool) else None

    def pools_reset(self):
        """After the carts were reset (``write_carts_reset``): every shopper unused again."""
        self.pool_next = {group: unique_counter() for group in WRITE_POOLS}
        self.pool_used = {group: False for group in WRITE_POOLS}

    def pool_step(self, group, path, request):
        """One timed POST to ``path`` by the next unused shopper of ``group``'s pool: ``request(shopper, n)``
        gives the body and any headers beside the shopper's token. Answers 201."""

        def step(client, worker, n):
            shopper = self.pool_take(group)
            if shopper is None:
                time.sleep(0.05)
                return f"{group} pool used up: raise --write-carts", None, 0.0, 201
            body, headers = request(shopper, n)
            status, _, queries, ms = client.request(
                "POST",
                path,
                body=body,
                headers={"Authorization": f"Bearer {shopper['access']}", **headers},
                parse=False,
            )
            return status, queries, ms, 201

        return step

    def add_to_cart(self):
        """One product added to a shopper's empty cart (timed); the carts are emptied between rounds."""
        if self.legacy_write_steps:
            return self.add_to_cart_legacy()
        products = self.data["cart_products"]
        return self.pool_step(
            "add",
            "/api/v1/cart/items",
            lambda shopper, n: ({"product_id": products[n % len(products)], "quantity": 1}, {}),
        )

    def checkout(self):
        """A checkout of a cart filled before the round (one stocked product), test card (timed)."""
        if self.legacy_write_steps:
            return self.checkout_legacy()
        return self.pool_step(
            "checkout",
            "/api/v1/orders",
            lambda shopper, n: (
                {"payment_method": "card", "card_number": TEST_CARD, "address_id": shopper["address_id"]},
                {"Idempotency-Key": uuid.uuid4().hex},
            ),
        )

    def add_to_cart_legacy(self):
        """``--legacy-write-steps``: the add (timed) and the removal of every line (in the row's time)."""
        products = self.data["cart_products"]

        def step(client, worker, n):
            auth = {"Authorization": f"Bearer {self.sessions['add'][worker]['access']}"}
            product_id = products[n % len(products)]
            status, body, queries, ms = client.request(
                "POST", "/api/v1/cart/items", body={"product_id": product_id, "quantity": 1}, headers=auth
            )
            if status == 201:
                for line in body["data"]["items"]:
                    client.request("DELETE", f"/api/v1/cart/items/{line['id']}", headers=auth)
            return status, queries, ms, 201

        return step

    def checkout_legacy(self):
        """``--legacy-write-steps``: the add to cart (in the row's time) and the checkout (timed)."""
        products = self.data["checkout_products"]

        def step(client, worker, n):
            session = self.sessions["checkout"][worker]
            auth = {"Authorization": f"Bearer {session['access']}"}
            status, body, _, _ = client.request(
                "POST", "/api/v1/cart/items", body={"product_id": products[n % len(products)]}, headers=auth
            )
            if status != 201:
                return status, None, 0.0, 201
            status, body, queries, ms = client.request(
                "POST",
                "/api/v1/orders",
                body={"payment_method": "card", "card_number": TEST_CARD, "address_id": session["address_id"]},
                headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
            )
            return status, queries, ms, 201

        return step

    def build(self):
        data, q = self.data, urlencode
        categories = data["categories"]
        popular = data["popular_products"]
        words, typo_words = self.cold_words, self.typo_words

        def cold_list(u):
            max_price = {"max_price": str(100000 + u)}
            if u % 2:
                return f"/api/v1/products?{q({**LIST_QUERIES[u % len(LIST_QUERIES)], **max_price})}"
            return f"/api/v1/categories/{categories[u % len(categories)]}/products?{q(max_price)}"

        orders_token = lambda worker: self.sessions["orders"]["access"]  # noqa: E731
        cart_token = lambda worker: self.sessions["cart"][worker]["access"]  # noqa: E731
        return {
            "health": self.anon_get(["/health"]),
            "product list, cached page": self.anon_get([f"/api/v1/products?{q(x)}" for x in LIST_QUERIES]),
            "product list / category, cold": self.anon_unique(cold_list),
            "product detail": self.anon_get([f"/api/v1/products/{slug}" for slug in data["slugs"][:DETAIL_PRODUCTS]]),
            "search, cached": self.anon_get([f"/api/v1/products/search?{q({'q': w})}" for w in SEARCH_QUERIES]),
            "search, cold words": self.anon_unique(
                lambda u: f"/api/v1/products/search?{q({'q': words[u % len(words)], 'max_price': 100000 + u})}"
            ),
            "search, typo": self.anon_unique(
                lambda u: (
                    f"/api/v1/products/search?{q({'q': typo_words[u % len(typo_words)], 'max_price': 100000 + u})}"
                )
            ),
            "reviews list, popular product": self.anon_get(
                [f"/api/v1/products/{popular[0]}/reviews{x}" for x in ("", "?rating=5", "?per_page=10&page=2")]
            ),
            "review summary": self.anon_get([f"/api/v1/products/{pk}/reviews/summary" for pk in popular]),
            "cart GET (3 lines)": self.auth_get(cart_token, ["/api/v1/cart"]),
            "add to cart": self.add_to_cart(),
            "checkout (test card)": self.checkout(),
            "order list (500 orders)": self.auth_get(
                orders_token, [f"/api/v1/orders?{q({'page': page})}" for page in (1, 2, 3)]
            ),
            "notifications": self.auth_get(orders_token, ["/api/v1/notifications"]),
            "staff reviews API": self.auth_get(
                lambda worker: self.sessions["moderator"]["access"],
                [f"/api/v1/staff/reviews?{q({'page': page})}" for page in (1, 2, 3)],
            ),
            "page: home": self.anon_get(["/"]),
            "page: category": self.anon_get([f"/c/{slug}/" for slug in categories]),
            "page: search": self.anon_get([f"/search/?{q({'q': w})}" for w in SEARCH_QUERIES[:6]]),
            "page: product": self.anon_get([f"/p/{slug}/" for slug in data["slugs"][:50]]),
        }


def measure(host, port, step, *, duration, concurrency):
    results, errors, queries = [], [], []
    lock = threading.Lock()
    deadline = time.perf_counter() + duration
    started = time.perf_counter()

    def worker(index):
        client, local, local_errors, local_queries, n = Client(host, port), [], [], [], index
        while time.perf_counter() < deadline:
            try:
                status, count, ms, expected = step(client, index, n)
            except (OSError, http.client.HTTPException) as exc:
                local_errors.append(type(exc).__name__)
                n += concurrency
                continue
            n += concurrency
            if status != expected:
                local_errors.append(status)
                continue
            local.append(ms)
            if count is not None:
                local_queries.append(count)
        client.close()
        with lock:
            results.extend(local)
            errors.extend(local_errors)
            queries.extend(local_queries)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    results.sort()
    return {
        "requests": len(results),
        "rps": len(results) / elapsed,
        "p50": percentile(results, 0.5),
        "p95": percentile(results, 0.95),
        "queries": statistics.median(queries) if queries else None,
        "errors": len(errors),
        "error_sample": sorted({str(e) for e in errors})[:5],
    }


# --------------------------------------------------------------------------------------------
# --cpu-split: whose CPU a row's requests cost, read from /proc around each timed round.

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
CPU_GROUPS = ("web (gunicorn)", "Celery worker", "PostgreSQL (run's database)", "PostgreSQL (background)", "Redis",
              "RabbitMQ", "client (this script)")  # fmt: skip


def _proc_stats():
    """``{pid: (parent pid, CPU seconds, reaped children's CPU seconds, command line)}`` of every process /proc
    shows. The children's figure (``cutime`` + ``cstime``) is the CPU of its children that have ended and been
    waited for (a living child's own CPU is not in it, so nothing counts twice)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        # After the command's ")": state, ppid, ... utime, stime, cutime and cstime are the 12th to 15th fields.
        own, reaped = (
            (int(fields[11]) + int(fields[12])) / CLOCK_TICKS,
            (int(fields[13]) + int(fields[14])) / CLOCK_TICKS,
        )
        stats[int(entry.name)] = (int(fields[1]), own, reaped, cmdline)
    return stats


def cpu_snapshot(roots, database):
    """``{pid: (group, CPU seconds)}`` of the processes a row's requests run in: the trees of ``roots``
    (``{group: pid}``: gunicorn's master, the Celery worker), PostgreSQL's backends on ``database`` and its
    background processes, Redis, RabbitMQ, and this script (the clients)."""
    stats = _proc_stats()
    children = {}
    for pid, (parent, _, _, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    groups = {os.getpid(): "client (this script)"}
    for group, root in roots.items():
        stack = [root]
        while stack:
            pid = stack.pop()
            if pid in stats:
                groups[pid] = group
                stack.extend(children.get(pid, ()))
    # A gunicorn or Celery worker process that ends inside a round counts, in its parent (not PostgreSQL's
    # postmaster: the backends it reaps are any database's).
    in_trees = set(groups) - {os.getpid()}
    for pid, (_, _, _, cmdline) in stats.items():
        if pid in groups:
            continue
        if cmdline.startswith("postgres: "):  # "postgres: 15/main: <user> <database> <client>(<port>) <state>"
            if f" {database} " in cmdline:
                groups[pid] = "PostgreSQL (run's database)"
            elif "(" not in cmdline:  # not a client's backend: WAL writer, checkpointer, autovacuum...
                groups[pid] = "PostgreSQL (background)"
        elif "redis-server" in cmdline:
            groups[pid] = "Redis"
        elif "beam.smp" in cmdline and "rabbit" in cmdline:
            groups[pid] = "RabbitMQ"
    return {pid: (group, stats[pid][1] + (stats[pid][2] if pid in in_trees else 0.0)) for pid, group in groups.items()}


def cpu_spent(before, after):
    """CPU seconds per group between two snapshots (processes started between them count from zero)."""
    spent = dict.fromkeys(CPU_GROUPS, 0.0)
    for pid, (group, seconds) in after.items():
        spent[group] += seconds - before.get(pid, (group, 0.0))[1]
    return spent


def drain(host, port, workers, timeout=120):
    """Wait until the server has finished what the last row left running (requests the clients gave
    up on still run server-side): a round of parallel ``/health`` requests, one per worker and
    more, queues behind that work, so the next row starts on an idle server."""

    def ping():
        try:
            client = Client(host, port)
            client.conn.timeout = timeout
            client.request("GET", "/health")
            client.close()
        except (OSError, http.client.HTTPException):
            pass

    threads = [threading.Thread(target=ping) for _ in range(workers * 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def sign_in(client, email, n):
    status, body, _, _ = client.request(
        "POST",
        "/api/v1/auth/login",
        body={"email": email, "password": DEMO_PASSWORD},
        headers={"X-Forwarded-For": f"10.250.{n // 256}.{n % 256}"},
    )
    if status != 200:
        raise SystemExit(f"login {email} answered {status}: {body}")
    return {"email": email, "access": body["data"]["access"]}


def setup_sessions(host, port, data, concurrency):
    client = Client(host, port)
    shoppers = data["shoppers"]
    sessions, n = {"cart": [], "add": [], "checkout": []}, 0
    for group_index, group in enumerate(("cart", "add", "checkout")):
        for email in shoppers[group_index * concurrency : (group_index + 1) * concurrency]:
            session = sign_in(client, email, n)
            n += 1
            auth = {"Authorization": f"Bearer {session['access']}"}
            client.request("DELETE", "/api/v1/cart", headers=auth)
            _, body, _, _ = client.request("GET", "/api/v1/user/addresses", headers=auth)
            session["address_id"] = body["data"][0]["id"]
            if group == "cart":
                for product_id in data["cart_products"][:3]:
                    status, body, _, _ = client.request(
                        "POST", "/api/v1/cart/items", body={"product_id": product_id}, headers=auth
                    )
                    if status != 201:
                        raise SystemExit(f"could not fill the cart of {email}: {status} {body}")
            sessions[group].append(session)
    sessions["orders"] = sign_in(client, data["orders_email"], n)
    sessions["moderator"] = sign_in(client, "moderator@skincare.local", n + 1)
    client.close()
    return sessions


def wait_for(host, port, process, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            status, _, _, _ = Client(host, port).request("GET", "/health")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /health in time")


def server_env(args):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        DEBUG="false",
        SECRET_KEY="hot-paths-benchmark",  # noqa: S106 - a throw-away local server
        SECURE_SSL_REDIRECT="false",
        NUM_PROXIES="1",
        ALLOWED_HOSTS="127.0.0.1",
        DB_CONN_MAX_AGE="60",
        THROTTLE_USER=args.user_rate,
        JWT_ACCESS_MINUTES="240",
        QUERY_COUNT_HEADER="true",
        DJANGO_SETTINGS_MODULE="skincare.settings",
    )
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    if args.broker:
        env.update(CELERY_BROKER_URL=args.broker, CELERY_TASK_DEFAULT_QUEUE=args.queue)
    else:
        env.pop("CELERY_BROKER_URL", None)  # eager: the queued work runs in the request
    return env


def celery_mode(args):
    if not args.broker:
        mode = "Celery eager (no broker): the work queued after commit runs in the request"
    else:
        mode = f"Celery with a broker ({args.broker}, queue {args.queue}) and 1 worker process (concurrency 1)"
    return f"{mode}; {write_mode(args)}"


def write_mode(args):
    if args.legacy_write_steps:
        return "legacy write steps (add to cart + its DELETE, cart add + checkout: two requests per counted one)"
    return f"write rows time only their own request ({args.write_carts} shoppers per row, carts reset between rounds)"


def broker_connection(args):
    from kombu import Connection  # installed with Celery

    return Connection(args.broker, connect_timeout=10)


def queue_purge(args):
    with broker_connection(args) as conn:
        try:
            return conn.default_channel.queue_purge(args.queue) or 0
        except Exception:  # noqa: BLE001 - the queue does not exist yet
            return 0


def queue_state(channel, queue):
    """``(messages ready, consumers)`` of ``queue`` (messages a worker holds are not ready); ``(0, 0)`` when it
    is not declared yet (nothing was sent to it: the broker then closes ``channel``)."""
    try:
        _, ready, consumers = channel.queue_declare(queue, passive=True)
    except Exception:  # noqa: BLE001 - not declared yet
        return 0, 0
    return ready, consumers


def wait_for_worker_idle(pid, timeout=30):
    """Until the Celery worker's messages held for a countdown (not "ready", so ``wait_for_queue`` does not see
    them: the deferred tasks' drain, ``DEFERRED_DRAIN_SECONDS``, and the recommendation refresh,
    ``ML_REFRESH_WINDOW_SECONDS``) have run: the longer of the two windows, then until the worker's processes
    used no CPU for 0.3 s (their CPU is the row's too)."""
    windows = (os.environ.get("DEFERRED_DRAIN_SECONDS", "1"), os.environ.get("ML_REFRESH_WINDOW_SECONDS", "30"))
    time.sleep(min(max(float(window) for window in windows), 5.0))
    deadline, last, still = time.time() + timeout, None, 0
    while time.time() < deadline:
        stats = _proc_stats()
        tree, stack = 0.0, [pid]
        while stack:
            current = stack.pop()
            tree += stats.get(current, (0, 0.0))[1]
            stack.extend(child for child, (parent, *_) in stats.items() if parent == current)
        still = still + 1 if tree == last else 0
        if still >= 3:
            return
        last = tree
        time.sleep(0.1)


def wait_for_queue(args, timeout=120):
    """Until the run's queue has no message ready, asking five times a second over one AMQP connection (a
    connection per poll cost RabbitMQ and this script more than the polls, in the row's CPU)."""
    deadline = time.time() + timeout
    with broker_connection(args) as conn, conn.channel() as channel:
        while time.time() < deadline:
            if queue_state(channel, args.queue)[0] == 0:
                return True
            time.sleep(0.2)
    print(f"  the Celery queue {args.queue} still had messages after {timeout}s", file=sys.stderr, flush=True)
    return False


def start_worker(args, *, env=None, options=("--concurrency", "1", "--loglevel", "warning")):
    """One Celery worker process on the run's queue (by default concurrency 1, with the server's environment);
    ``options``: its pool options, ``env``: its environment."""
    queue_purge(args)
    celery = Path(sys.executable).with_name("celery")
    name = f"{args.queue}@%h"
    process = subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
        [
            str(celery),
            "-A",
            "skincare",
            "worker",
            *options,
            "--queues",
            args.queue,
            "--hostname",
            name,
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=server_env(args) if env is None else env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if not args.server_log else None,
    )
    # Ready when the broker lists a consumer on the queue.
    deadline = time.time() + 120
    with broker_connection(args) as conn:
        while time.time() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"the Celery worker exited with {process.returncode}")
            with conn.channel() as channel:  # a new one each time: a poll before the worker declared the queue
                if queue_state(channel, args.queue)[1]:  # closes its channel
                    return process
            time.sleep(0.5)
    process.terminate()
    raise SystemExit("the Celery worker did not start consuming in time")


def stop_worker(args, process):
    process.terminate()  # warm shutdown: the task in hand finishes, held (countdown) ones go back
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    purged = queue_purge(args)
    if purged:
        print(f"purged {purged} messages left in {args.queue}", file=sys.stderr)


def flush_redis(url):
    import redis  # installed with django-redis

    redis.Redis.from_url(url).flushdb()


def ensure_database(url):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", file=sys.stderr)


def run_workers(args, data, workers, rows):
    host, port = "127.0.0.1", args.port
    database = urlsplit(args.database_url).path.lstrip("/")
    flush_redis(args.redis_url)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [str(gunicorn), "skincare.wsgi", "-w", str(workers), "-b", f"{host}:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=server_env(args),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if not args.server_log else None,
    )
    try:
        wait_for(host, port, process)
        sessions = setup_sessions(host, port, data, args.concurrency)
        scenarios = Scenarios(data, sessions, seed=workers, legacy_write_steps=args.legacy_write_steps)
        steps = scenarios.build()
        names = [name for name in steps if name in rows]

        def carts_ready(name):
            """Before a write row's warm-up or round (not timed): its shoppers' carts as they start."""
            if name in POOL_ROWS and not args.legacy_write_steps and any(scenarios.pool_used.values()):
                child_run(args, "--reset-carts-only")
                scenarios.pools_reset()

        rounds = []
        for round_index in range(args.rounds):
            figures = {}
            for name in names:
                if round_index == 0 and args.warmup:
                    carts_ready(name)
                    measure(host, port, steps[name], duration=args.warmup, concurrency=args.concurrency)
                carts_ready(name)
                if args.cpu_split:
                    roots = {
                        "web (gunicorn)": process.pid,
                        **({"Celery worker": args.worker_pid} if args.broker else {}),
                    }
                    before = cpu_snapshot(roots, database)
                figures[name] = measure(host, port, steps[name], duration=args.duration, concurrency=args.concurrency)
                drain(host, port, workers)
                if args.broker:
                    wait_for_queue(args)
                    if args.cpu_split:
                        wait_for_worker_idle(args.worker_pid)
                if args.cpu_split:  # until the row's queued tasks have run: their CPU is the row's too
                    figures[name]["cpu"] = cpu_spent(before, cpu_snapshot(roots, database))
                r = figures[name]
                print(
                    f"  workers={workers} round {round_index + 1}/{args.rounds} {name}: {r['rps']:.0f} req/s, "
                    f"p50 {r['p50']:.1f} ms, errors {r['errors']} {r['error_sample'] or ''}",
                    file=sys.stderr,
                    flush=True,
                )
            rounds.append(figures)
        return rounds
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def summarise(rounds, name):
    health = [r["health"]["rps"] for r in rounds]
    rows = [r[name] for r in rounds]
    ratio = statistics.median(row["rps"] / h for row, h in zip(rows, health, strict=True))
    queries = [row["queries"] for row in rows if row["queries"] is not None]
    summary = {
        "rps": statistics.median(row["rps"] for row in rows),
        "p50": statistics.median(row["p50"] for row in rows),
        "p95": statistics.median(row["p95"] for row in rows),
        "ratio": ratio,
        "ratios": [row["rps"] / h for row, h in zip(rows, health, strict=True)],
        "queries": statistics.median(queries) if queries else None,
        "errors": sum(row["errors"] for row in rows),
    }
    target = TARGETS[name]
    if target is None:
        summary["verdict"] = "—"
    else:
        ok = ratio >= target and summary["errors"] == 0
        if name == "checkout (test card)":
            ok = ok and summary["p95"] < CHECKOUT_P95_MS
        summary["verdict"] = "pass" if ok else "FAIL"
    return summary


def target_text(name):
    target = TARGETS[name]
    if target is None:
        return "—"
    extra = f", p95 < {CHECKOUT_P95_MS} ms" if name == "checkout (test card)" else ""
    return f"≥ {target}{extra}"


def print_table(workers, rounds, names, mode):
    print(f"\n### gunicorn -w {workers}: median of {len(rounds)} rounds; {mode}\n")
    print(
        "| endpoint | req/s | p50 ms | p95 ms | × /health | × /health per round | queries/request | target | result |"
    )
    print("|---|---:|---:|---:|---:|---|---:|---|---|")
    summaries = {}
    for name in names:
        s = summarise(rounds, name)
        summaries[name] = s
        queries = "—" if s["queries"] is None else f"{s['queries']:g}"
        per_round = " / ".join(f"{r:.2f}" for r in s["ratios"])
        errors = f" ({s['errors']} errors)" if s["errors"] else ""
        print(
            f"| {name} | {s['rps']:.0f} | {s['p50']:.1f} | {s['p95']:.1f} | {s['ratio']:.2f} | {per_round} "
            f"| {queries} | {target_text(name)} | {s['verdict']}{errors} |"
        )
    return summaries


def print_cpu_split(workers, rounds, names):
    """Per row, CPU ms per request of each process group (median of the rounds), and the total against
    ``/health``'s total: the throughput ratio the row would have if the machine's CPU were all that bound it."""
    print(f"\n### gunicorn -w {workers}: CPU ms per request by process (median of {len(rounds)} rounds)\n")
    print("| endpoint | " + " | ".join(CPU_GROUPS) + " | total | /health's total ÷ total |")
    print("|---|" + "---:|" * (len(CPU_GROUPS) + 2))
    health = statistics.median(sum(r["health"]["cpu"].values()) / max(r["health"]["requests"], 1) for r in rounds)
    for name in names:
        per = [{g: r[name]["cpu"][g] * 1000 / max(r[name]["requests"], 1) for g in CPU_GROUPS} for r in rounds]
        cells = [statistics.median(p[g] for p in per) for g in CPU_GROUPS]
        total = statistics.median(sum(p.values()) for p in per)
        print(
            f"| {name} | " + " | ".join(f"{c:.2f}" for c in cells) + f" | {total:.2f} | {health * 1000 / total:.2f} |"
        )


def child_run(args, mode):
    """This script in a child process with Django set up on the benchmark database (``--prepare-only``,
    ``--reset-carts-only``): its last line of output, parsed."""
    child_keys = ("DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT", "JWT_ACCESS_MINUTES")  # the server's JWTs
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        **{k: v for k, v in server_env(args).items() if k in child_keys},
    }
    child = subprocess.run(  # noqa: S603 - this script, our own arguments
        [
            sys.executable,
            __file__,
            mode,
            "--scale",
            str(args.scale),
            "--orders",
            str(args.orders),
            "--concurrency",
            str(args.concurrency),
            "--write-carts",
            str(0 if args.legacy_write_steps else args.write_carts),
            "--database-url",
            args.database_url,
            "--redis-url",
            args.redis_url,
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        check=True,
        text=True,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=3, help="seed_demo scale of a fresh database (issue: 3)")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL database of the benchmark (default postgres://postgres@127.0.0.1:5432/skincare_hot_paths_s<scale>)",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5", help="flushed before each server start")
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4], help="gunicorn worker counts")
    parser.add_argument("--port", type=int, default=8300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per row per round")
    parser.add_argument("--warmup", type=float, default=2.0, help="untimed seconds per row before round 1")
    parser.add_argument("--orders", type=int, default=500, help="orders of the order-list shopper")
    parser.add_argument("--user-rate", default="1000000/min", help="THROTTLE_USER of the server")
    parser.add_argument("--only", nargs="+", metavar="ROW", help="measure only rows whose name contains one of these")
    parser.add_argument(
        "--broker",
        help="CELERY_BROKER_URL for the server, and one Celery worker (concurrency 1) for the run "
        "(default: none, Celery eager as the issue measured)",
    )
    parser.add_argument("--queue", help="the run's Celery queue with --broker (default hot-paths-<port>)")
    parser.add_argument("--server-log", action="store_true", help="show gunicorn's (and the worker's) stderr")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    parser.add_argument(
        "--cpu-split",
        action="store_true",
        help="also print, per row, the CPU each process group spent per request (from /proc, Linux): gunicorn, "
        "the Celery worker (until the row's queue is drained), PostgreSQL, Redis, RabbitMQ, the clients",
    )
    parser.add_argument(
        "--write-carts",
        type=int,
        default=2500,
        help="shoppers (one cart each) per write row and round: add to cart and checkout each time one "
        "shopper's request; their carts are reset between rounds, outside the timed window",
    )
    parser.add_argument(
        "--legacy-write-steps",
        action="store_true",
        help="the write rows as measured up to session 5: add to cart also deletes the line and checkout "
        "also adds the product to the cart first, each inside the row's time (two requests per counted one)",
    )
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reset-carts-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.database_url is None:
        name = f"skincare_hot_paths_s{args.scale:g}".replace(".", "_")
        args.database_url = f"postgres://postgres@127.0.0.1:5432/{name}"

    if args.broker and not args.queue:
        args.queue = f"hot-paths-{args.port}"

    if args.prepare_only:  # child process: Django on the benchmark database
        print(json.dumps(prepare(args)))
        return 0
    if args.reset_carts_only:
        print(json.dumps(write_carts_reset_child(args)))
        return 0

    rows = [name for name in TARGETS if name == "health" or not args.only or any(o in name for o in args.only)]
    seconds = len(rows) * (args.rounds * args.duration + args.warmup) * len(args.workers)
    print(
        f"{len(rows)} rows x {args.rounds} rounds x {args.duration:g}s (+{args.warmup:g}s warm-up) "
        f"x {len(args.workers)} worker counts: about {seconds / 60:.0f} min of measuring",
        file=sys.stderr,
    )
    ensure_database(args.database_url)
    data = child_run(args, "--prepare-only")
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    print(
        f"# Hot paths: {data['active_products']} active products (seed_demo scale {args.scale:g}), "
        f"{data['orders']} orders for the order-list shopper, popular product {data['popular_products'][0]} with "
        f"{data['popular_reviews']} reviews; {args.concurrency} clients; load average before: {' '.join(load)}"
    )
    print(f"# {celery_mode(args)}")
    results = {}
    worker = start_worker(args) if args.broker else None
    args.worker_pid = worker.pid if worker is not None else None
    try:
        for workers in args.workers:
            rounds = run_workers(args, data, workers, rows)
            results[workers] = {"rounds": rounds, "summary": print_table(workers, rounds, rows, celery_mode(args))}
            if args.cpu_split:
                print_cpu_split(workers, rounds, rows)
    finally:
        if worker is not None:
            stop_worker(args, worker)
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    print(f"\nload average after: {' '.join(load)}")
    if args.json:
        print(json.dumps(results, indent=2))
    failed = [name for r in results.values() for name, s in r["summary"].items() if s["verdict"] == "FAIL"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
