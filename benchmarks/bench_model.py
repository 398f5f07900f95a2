"""The classifier's targets in one run: accuracy, robustness, speed against jieba, size, load time.

Prints a table. Accuracy comes from the shipped model's manifest (5-fold cross-validation by
`textmine train`), from scoring the texts of the twelve writers held out of training
(corpus/heldout/) and, when shared/eval is present, from scoring its visible real-review set
and a random 600-text sample of its unlabelled pool (labels in data/, see real_pool_sample)
now. Robustness: share of corpus texts whose predicted labels are unchanged when converted to
Traditional characters, to full-width forms, or with an emoji appended. Speed: texts/s of
`clf.predict` against plain `jieba.lcut` on the same texts, both on one core in this process.

Run: python benchmarks/bench_model.py [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")  # one core, as the target says

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, corpus_texts, machine  # noqa: E402

if TYPE_CHECKING:
    from textmine.corpus import Record


def rate(fn, texts, repeat=2) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn(texts)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


REAL_POOL_LABELS = Path(__file__).resolve().parent / "data/real_pool_sample_labels.jsonl"
HELDOUT_WRITERS = REPO / "corpus/heldout/heldout_writers.jsonl"  # never trained on; see corpus/README.md


def real_pool_sample() -> list[Record]:
    """Records of the random real_pool sample labelled for this benchmark, when shared/eval is present.

    REAL_POOL_LABELS holds ids and labels only (majority of three blind annotators, each vote
    kept); the texts stay in shared/eval and are never trained on.
    """
    from textmine.corpus import Record

    pool = REPO.parent / "shared/eval/real_pool.jsonl"
    if not pool.exists():
        return []
    with REAL_POOL_LABELS.open(encoding="utf-8") as fh:
        labels = {row["id"]: tuple(row["labels"]) for row in map(json.loads, fh)}
    with pool.open(encoding="utf-8") as fh:
        texts = {row["id"]: row["text"] for row in map(json.loads, fh) if row["id"] in labels}
    return [Record(id=i, text=texts[i], labels=labels[i]) for i in sorted(labels) if i in texts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="use only N corpus texts")
    args = parser.parse_args()

    import jieba

    import textmine
    from textmine.persistence import default_model_path, read_manifest

    code = ("import time; t0=time.perf_counter(); import textmine, textmine.model, joblib; t1=time.perf_counter(); "
            "textmine.load(); t2=time.perf_counter(); print(t1-t0, t2-t1)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    import_s, load_s = map(float, out.split())
    clf = textmine.load()
    manifest = read_manifest()
    texts = corpus_texts(args.limit)

    rows = []
    cv = manifest["metrics"]["cross_validation"]
    rows.append(("macro-F1, 5-fold CV on the corpus", f"{cv['macro_f1']:.3f}", ">= 0.85"))
    from textmine.evaluation import evaluate_file, evaluate_records

    result = evaluate_file(clf, HELDOUT_WRITERS)
    rows.append((f"macro-F1, {result['n']} texts of 12 held-out writers", f"{result['macro_f1']:.3f}", ""))
    visible = REPO.parent / "shared/eval/real_labelled_visible.jsonl"
    if visible.exists():
        result = evaluate_file(clf, visible)
        rows.append(("macro-F1, real_labelled_visible", f"{result['macro_f1']:.3f}", ">= 0.65"))
    sample = real_pool_sample()
    if sample:
        result = evaluate_records(clf, sample, REAL_POOL_LABELS)
        rows.append((f"macro-F1, {len(sample)} random real_pool texts (our labels)", f"{result['macro_f1']:.3f}", ""))
    from textmine.evaluation import robustness

    for name, same in robustness(clf, texts).items():
        rows.append((f"unchanged predictions, {name}", f"{same:.1%}", ">= 98%"))
    jieba.lcut("预热")
    lcut_rate = rate(lambda ts: [jieba.lcut(t) for t in ts], texts)
    predict_rate = rate(clf.predict, texts)
    rows.append(("jieba.lcut texts/s (baseline, same texts)", f"{lcut_rate:.0f}", ""))
    rows.append(("clf.predict texts/s", f"{predict_rate:.0f}", ""))
    rows.append(("predict / lcut throughput", f"{predict_rate / lcut_rate:.2f}", ">= 0.50"))
    size_mb = default_model_path().stat().st_size / 1e6
    rows.append(("model file size", f"{size_mb:.1f} MB", "<= 20 MB"))
    rows.append(("textmine.load() in a fresh process", f"{load_s:.2f} s", "< 1 s"))
    rows.append(("  + importing scikit-learn/pandas before it", f"{import_s:.2f} s", ""))

    print(f"machine: {machine()}")
    print(f"texts: {len(texts)} corpus texts, mean {sum(map(len, texts)) / len(texts):.0f} chars")
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':{width}}  {'value':>10}  target")
    for name, value, target in rows:
        print(f"{name:{width}}  {value:>10}  {target}")


if __name__ == "__main__":
    main()
