"""gunicorn settings for an outage drill: the repository's ``gunicorn.conf.py`` plus a test card provider
that takes ``DRILL_CARD_SECONDS`` (default 1) to answer, as a real provider does over the network.

With the offline test card the time between a checkout's order commit and the record of its charge is a
few milliseconds, so a database stopped at a random moment almost never falls inside it (one checkout in
the session-5 drills did). A provider that answers in a second widens that window to what production
sees, so the drill meets the case: order committed, card charged, answer not recorded.

    gunicorn skincare.wsgi:application -c tools/drill_gunicorn_slow_card.py --bind 127.0.0.1:8660

Drills only; never in a deployment.
"""

import os
import time
from pathlib import Path

exec(compile((Path(__file__).resolve().parent.parent / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"))  # noqa: S102


def post_worker_init(worker):
    from shop.orders.payments.test_card import TestCardProvider

    seconds = float(os.environ.get("DRILL_CARD_SECONDS", "1"))
    charge = TestCardProvider.charge

    def slow_charge(self, **kwargs):
        time.sleep(seconds)
        return charge(self, **kwargs)

    TestCardProvider.charge = slow_charge
