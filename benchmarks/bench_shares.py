"""Which share estimate lands nearest the truth on labelled data the model never saw?

Compares, per label and overall, the plain count of predicted labels, the mean predicted
probability and the count adjusted with the model's cross-validated true/false-positive rates,
on held-out labelled files (default: the demo survey's gold labels, plus shared/eval's visible
real-review set when present). Prints absolute errors. textmine.aggregation.DEFAULT_METHOD is
"count" unless another method is nearer by more than 0.01 (counts add up to the labelled
file's label columns).

Run: python benchmarks/bench_shares.py [FILE ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from common import REPO, machine  # noqa: E402


def main() -> None:
    import textmine
    from textmine.aggregation import METHODS, aggregate
    from textmine.corpus import read_records

    files = [Path(p) for p in sys.argv[1:]] or [
        REPO / "corpus/samples/survey_demo_gold.jsonl",
        REPO.parent / "shared/eval/real_labelled_visible.jsonl",
    ]
    model = textmine.load()
    print(f"machine: {machine()}")
    summary: dict[str, list[float]] = {m: [] for m in METHODS}
    for path in files:
        if not path.exists():
            print(f"skipping {path} (not present)")
            continue
        records = read_records(path)
        frame = pd.DataFrame({"text": [r.text for r in records]})
        labelled = textmine.label_frame(frame, text_col="text", model=model)
        truth = {label: np.mean([label in r.labels for r in records]) for label in textmine.LABELS}
        truth["complaint_share"] = np.mean([bool(r.labels) for r in records])
        print(f"\n{path.name} (n={len(records)}): absolute error of the estimated share")
        print(f"{'label':16}{'true':>7}" + "".join(f"{m:>12}" for m in METHODS))
        errors = {m: [] for m in METHODS}
        estimates = {m: aggregate(labelled, model=model, method=m).loc["all"] for m in METHODS}
        for key in ("complaint_share", *textmine.LABELS):
            row = f"{key:16}{truth[key]:7.3f}"
            for m in METHODS:
                err = abs(estimates[m][key] - truth[key])
                errors[m].append(err)
                row += f"{err:12.3f}"
            print(row)
        print(f"{'mean':16}{'':7}" + "".join(f"{np.mean(errors[m]):12.3f}" for m in METHODS))
        for m in METHODS:
            summary[m].extend(errors[m])
    best = min(METHODS, key=lambda m: np.mean(summary[m]) if summary[m] else np.inf)
    print("\nmean absolute error over all files: " + ", ".join(f"{m} {np.mean(v):.3f}" for m, v in summary.items() if v))
    print(f"nearest the true shares: {best} (textmine.aggregation.DEFAULT_METHOD = {textmine.aggregation.DEFAULT_METHOD!r})")


if __name__ == "__main__":
    main()
