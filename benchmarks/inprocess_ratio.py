"""CPU time per request in-process, as a ratio to ``/health`` in the same run: a figure that survives a
loaded machine (wall-clock throughput does not).

    DATABASE_URL=... REDIS_URL=... python benchmarks/inprocess_ratio.py /api/v1/products/102/reviews \\
        "/p/some-slug/" --repeat 200

Each URL is requested once untimed (caches filled), then ``--repeat`` times through Django's test
``Client`` with ``DEBUG`` off; ``time.process_time()`` around the loop gives the CPU ms per request
of this process (the database server's and Redis's own time are not in it), and the statements
each request ran are counted. ``/health`` is measured the same way first; ratio = health ms / URL ms
(the higher, the closer to ``/health``). ``--user`` signs in (session) as that e-mail.
"""

import argparse
import sys

from _inprocess import django_setup, test_client, timed

django_setup(DEBUG="false", SECURE_SSL_REDIRECT="false")


def measure(client, url, repeat):
    first = client.get(url)
    if first.status_code >= 400:
        raise SystemExit(f"GET {url} -> {first.status_code}")
    timing = timed(lambda _: client.get(url), repeat, capture=True)
    return timing.cpu_ms, len(timing.queries) / repeat, len(first.content)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--user", help="sign in as this e-mail first (session)")
    args = parser.parse_args(argv)

    client = test_client(HTTP_X_FORWARDED_PROTO="https")
    if args.user:
        from shop.accounts.models import User

        client.force_login(User.objects.get(email=args.user))
    health_ms, _, _ = measure(client, "/health", args.repeat)
    print(f"{'url':60} {'cpu ms':>8} {'stmts':>6} {'bytes':>7} {'x /health':>9}")
    print(f"{'/health':60} {health_ms:8.2f} {0:6.1f} {'':>7} {1:9.2f}")
    for url in args.urls:
        ms, statements, size = measure(client, url, args.repeat)
        print(f"{url[:60]:60} {ms:8.2f} {statements:6.1f} {size:7d} {health_ms / ms:9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
