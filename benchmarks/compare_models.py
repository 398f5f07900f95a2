"""Compare classifier designs on the corpus: the table in models/README.md.

Each design is trained by the real training code (same features, folds and cross-fitted
thresholds), and measured for per-label and macro/micro F1 in 5-fold cross-validation, F1 on
the visible real-review set (when shared/eval is present), fit time, predict speed and model
size.

Run: python benchmarks/compare_models.py [--kinds logreg blend svm nb chain]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, corpus_texts, machine  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kinds", nargs="+", default=["logreg", "blend", "svm", "nb", "chain"])
    parser.add_argument("--segment-window", type=int, nargs="+", default=[3])
    args = parser.parse_args()

    import textmine
    from textmine.train import TrainingOptions, train

    visible = REPO.parent / "shared/eval/real_labelled_visible.jsonl"
    texts = corpus_texts(2000)
    print(f"machine: {machine()}")
    header = "| design | " + " | ".join(textmine.LABELS) + " | macro-F1 | micro-F1 | real macro-F1 | fit s | predict texts/s | size MB |"
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for window in args.segment_window:
        for kind in args.kinds:
            with tempfile.TemporaryDirectory() as out:
                started = time.perf_counter()
                report = train(TrainingOptions(corpus=REPO / "corpus", out=Path(out), kind=kind, segment_window=window,
                                               eval=[visible] if visible.exists() else []))
                fit = time.perf_counter() - started
                model = textmine.load(out)
                model.predict(texts[:20])
                t = time.perf_counter()
                model.predict(texts)
                speed = len(texts) / (time.perf_counter() - t)
                size = (Path(out) / "complaints.joblib").stat().st_size / 1e6
            cv = report["cross_validation"]
            real = f"{report['evaluations'][0]['macro_f1']:.3f}" if report["evaluations"] else "–"
            name = f"{kind}, window {window}" if window else f"{kind}, whole texts"
            lines.append(f"| {name} | " + " | ".join(f"{cv['per_label'][lab]['f1']:.3f}" for lab in textmine.LABELS)
                         + f" | {cv['macro_f1']:.3f} | {cv['micro_f1']:.3f} | {real} | {fit:.0f} | {speed:.0f} | {size:.1f} |")
            print(lines[-1], flush=True)
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
