"""How honest are the built-in skin analyzer's numbers? Generated faces with known properties.

For each metric one property is planted in rising amounts (``ml.skin_analysis.synthetic``) on
faces drawn with different seeds (grain, placement): the Spearman rank correlation between the
planted amount and the metric's score must be negative (more redness -> lower redness score,
higher is healthier). Then every one of those faces is photographed again with the exposure scaled
(x0.85 and x1.15): the largest change of each score, per direction, is printed (the exposure-stability
figure; it should stay small), and sensor noise is added to the middle amount. The same bytes
analysed twice must give the same result, and blurred or dark photos must fail. Timing is printed
as a ratio against decoding the same JPEG (the baseline in the same run).

    python benchmarks/skin_analysis.py [--seeds 3]

No database or Django needed (the analyzer is pure NumPy/SciPy/Pillow). Figures in
docs/skin-analysis.md come from this script.
"""

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402

from ml.skin_analysis.analyzer import METRICS, AnalysisFailed, analyze  # noqa: E402
from ml.skin_analysis.synthetic import Face, face_jpeg  # noqa: E402

# metric -> (planted property, amounts from none to the most)
PLANTED = {
    "hydration": ("dryness", (0.0, 0.33, 0.67, 1.0)),
    "oil_balance": ("shine", (0.0, 0.33, 0.67, 1.0)),
    "redness": ("redness", (0.0, 0.33, 0.67, 1.0)),
    "blemishes": ("blemishes", (0, 8, 16, 30)),
    "pores": ("pores", (0.0, 0.33, 0.67, 1.0)),
    "fine_lines": ("lines", (0, 5, 10, 15)),
    "pigmentation": ("spots", (0, 8, 16, 30)),
    "texture": ("roughness", (0.0, 0.33, 0.67, 1.0)),
    "eye_area": ("dark_circles", (0.0, 0.33, 0.67, 1.0)),
    "radiance": ("unevenness", (0.0, 0.33, 0.67, 1.0)),
}
LIGHTING = (0.85, 1.15)
NOISE = 3.0


SIZE = 480  # pixels of the generated photos (the analyzer works on a 320 px wide face crop anyway)
_cache = {}


def _scores(face):
    if face not in _cache:
        _cache[face] = analyze(face_jpeg(face)).metrics
    return _cache[face]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="faces per amount (different grain and placement)")
    args = parser.parse_args()
    seeds = [7 + 11 * n for n in range(args.seeds)]

    rows = []
    for index, (metric, (prop, amounts)) in enumerate(PLANTED.items(), start=1):
        planted, scores, noise_shift, other_shift = [], [], 0, 0
        lighting_shift = dict.fromkeys(LIGHTING, 0)
        for seed in seeds:
            for amount in amounts:
                face = Face(seed=seed, size=SIZE, **{prop: amount})
                result = _scores(face)
                planted.append(amount)
                scores.append(result[metric])
                for brightness in LIGHTING:
                    lit = _scores(Face(seed=seed, size=SIZE, brightness=brightness, **{prop: amount}))
                    lighting_shift[brightness] = max(lighting_shift[brightness], abs(lit[metric] - result[metric]))
                if amount == amounts[len(amounts) // 2]:
                    noisy = _scores(Face(seed=seed, size=SIZE, noise=NOISE, **{prop: amount}))
                    noise_shift = max(noise_shift, abs(noisy[metric] - result[metric]))
                if amount == amounts[-1]:
                    clean = _scores(Face(seed=seed, size=SIZE))
                    other_shift = max(other_shift, max(abs(result[m] - clean[m]) for m in METRICS if m != metric))
        rho = spearmanr(planted, scores).statistic
        rows.append((metric, prop, rho, min(scores), max(scores), lighting_shift, noise_shift, other_shift))
        print(
            f"[{index}/{len(PLANTED)}] {metric}: rho={rho:+.2f}, exposure shift "
            + ", ".join(f"x{b:g} {v}" for b, v in lighting_shift.items()),
            file=sys.stderr,
            flush=True,
        )

    print(f"\nPlanted amount vs score ({len(seeds)} faces x 4 amounts per metric; higher score = healthier)\n")
    print(
        "| metric | planted property | Spearman rho | score range | "
        + " | ".join(f"max shift, exposure x{b:g}" for b in LIGHTING)
        + f" | max shift, noise sd {NOISE:g} | largest move of another metric |"
    )
    print("| --- " * (6 + len(LIGHTING)) + "|")
    for metric, prop, rho, low, high, lit, noisy, other in rows:
        shifts = " | ".join(str(lit[b]) for b in LIGHTING)
        print(f"| {metric} | {prop} | {rho:+.2f} | {low}-{high} | {shifts} | {noisy} | {other} |")
    print(
        f"\nExposure stability: the largest shift of any metric over all {len(seeds) * 4 * len(PLANTED)} faces "
        f"at x{min(LIGHTING):g}/x{max(LIGHTING):g} is {max(max(r[5].values()) for r in rows)} points."
    )

    content = face_jpeg(Face(size=SIZE, blemishes=10, redness=0.5, shine=0.5))
    same = analyze(content) == analyze(content)
    print(f"\nSame bytes twice give the same result: {same}")

    failures = {}
    for name, face in (
        ("blurred (Gaussian sigma 3 px)", Face(blur=3)),
        ("dark (exposure x0.25)", Face(brightness=0.25)),
    ):
        codes = []
        for seed in seeds:
            try:
                analyze(face_jpeg(Face(**{**face.__dict__, "seed": seed})))
                codes.append("analysed")
            except AnalysisFailed as exc:
                codes.append(exc.code)
        failures[name] = codes
    for name, codes in failures.items():
        print(f"{name}: {', '.join(codes)}")

    repeats = 5
    start = time.perf_counter()
    for _ in range(repeats):
        Image.open(io.BytesIO(content)).convert("RGB").load()
    decode = (time.perf_counter() - start) / repeats
    start = time.perf_counter()
    for _ in range(repeats):
        analyze(content)
    analysis = (time.perf_counter() - start) / repeats
    print(f"Analysis time: {analysis / decode:.0f}x the time to decode the same 480x480 JPEG")


if __name__ == "__main__":
    main()
