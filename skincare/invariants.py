"""Invariant checks: denormalised data that must agree with its sources.

Each app registers its checks in ``AppConfig.ready()`` (like the demo steps), so a lower app
never imports a higher one; ``manage.py check_invariants`` runs them all. A check is a function
returning a queryset of the violating rows: one set-based query, counted and sampled by the
command, never a loop over rows in Python.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q
from django.db.models.functions import Abs


@dataclass(frozen=True)
class Invariant:
    name: str
    description: str
    violations: callable  # () -> QuerySet of violating rows


_checks: dict[str, Invariant] = {}


def register_invariant(name, description, violations):
    _checks[name] = Invariant(name=name, description=description, violations=violations)


def invariants():
    return sorted(_checks.values(), key=lambda check: check.name)


@dataclass(frozen=True)
class Result:
    name: str
    description: str
    count: int
    examples: list


def invariant_run(check, *, examples=5):
    queryset = check.violations()
    count = queryset.count()
    sample = list(queryset.order_by("pk").values_list("pk", flat=True)[:examples]) if count else []
    return Result(name=check.name, description=check.description, count=count, examples=sample)


HALF_CENT = Decimal("0.005")


def money_mismatch(queryset, **expected):
    """Rows of ``queryset`` where a money field differs from its expression by more than half a cent.

    SQLite computes decimal arithmetic in floating point (12.30 + 1.23 is not 13.53 there), so
    money is compared within half a cent; on PostgreSQL the arithmetic is exact and any real
    difference is at least a cent.
    """
    wrong = Q()
    for field, expression in expected.items():
        queryset = queryset.annotate(**{f"_diff_{field}": Abs(F(field) - expression)})
        wrong |= Q(**{f"_diff_{field}__gt": HALF_CENT})
    return queryset.filter(wrong)
