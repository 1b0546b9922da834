import io

import pytest
from django.core.management import CommandError, call_command

from skincare.management.commands.seed_demo import ProgressBar


def test_progress_bar_in_a_log_prints_quarter_steps():
    out = io.StringIO()
    bar = ProgressBar(out)
    for done in range(1, 201):
        bar(done, 200, "products")
    lines = out.getvalue().splitlines()
    assert [line.split("]")[1].split("(")[0].strip() for line in lines] == [
        "1/200 products",
        "50/200 products",
        "100/200 products",
        "150/200 products",
        "200/200 products",
    ]


@pytest.mark.django_db
def test_seed_demo_rejects_non_positive_scale():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "0", stdout=io.StringIO())


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_logins():
    from shop.accounts.models import User

    out = io.StringIO()
    call_command("seed_demo", "--scale", "0.05", "--only", "accounts", stdout=out)
    count = User.objects.count()
    call_command("seed_demo", "--scale", "0.05", "--only", "accounts", stdout=io.StringIO())
    assert User.objects.count() == count
    assert "admin@skincare.local" in out.getvalue()
    assert User.objects.get(email="admin@skincare.local").is_superuser
    assert (
        User.objects.filter(email__startswith="shopper", addresses__is_default=True).count() == 75
    )  # 1,500 per unit of scale


def test_progress_bar_starts_a_new_bar_for_each_label():
    out = io.StringIO()
    bar = ProgressBar(out)
    bar(10, 10, "reviews drafted")
    bar(10, 10, "reviews saved")
    bar(0, 1, "counters")
    bar(1, 1, "counters")
    lines = [line.split("]")[1].split("(")[0].strip() for line in out.getvalue().splitlines()]
    assert lines == ["10/10 reviews drafted", "10/10 reviews saved", "0/1 counters", "1/1 counters"]
