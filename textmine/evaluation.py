"""Scores of a classifier against labelled records: per-label P/R/F1, micro/macro, confusions."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import CorpusError
from .taxonomy import LABELS

if TYPE_CHECKING:
    from .corpus import Record
    from .model import ComplaintClassifier

__all__ = ["scores", "evaluate_file", "evaluate_records", "read_evaluation_file", "format_scores"]


def scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    """Per-label precision/recall/F1/support, micro and macro F1, exact match, confusions."""
    y_true = np.asarray(y_true, dtype=bool)
    y_pred = np.asarray(y_pred, dtype=bool)
    per_label: dict[str, dict[str, float]] = {}
    tps = fps = fns = 0
    for j, label in enumerate(LABELS):
        tp = int(np.sum(y_true[:, j] & y_pred[:, j]))
        fp = int(np.sum(~y_true[:, j] & y_pred[:, j]))
        fn = int(np.sum(y_true[:, j] & ~y_pred[:, j]))
        tps, fps, fns = tps + tp, fps + fp, fns + fn
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per_label[label] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                            "support": int(y_true[:, j].sum()), "predicted": int(y_pred[:, j].sum())}
    micro_p = tps / (tps + fps) if tps + fps else 0.0
    micro_r = tps / (tps + fns) if tps + fns else 0.0
    micro = 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0
    confusions: Counter[tuple[str, str]] = Counter()
    for truth, pred in zip(y_true, y_pred):
        missed = [LABELS[j] for j in np.flatnonzero(truth & ~pred)] or ["(none)"]
        extra = [LABELS[j] for j in np.flatnonzero(pred & ~truth)] or ["(none)"]
        if missed != ["(none)"] or extra != ["(none)"]:
            for m in missed:
                for e in extra:
                    confusions[(m, e)] += 1
    return {
        "n": int(len(y_true)),
        "per_label": per_label,
        "macro_f1": round(float(np.mean([v["f1"] for v in per_label.values()])), 4),
        "micro_f1": round(micro, 4),
        "exact_match": round(float(np.mean(np.all(y_true == y_pred, axis=1))) if len(y_true) else 0.0, 4),
        "confusions": [
            {"gold_missed": m, "predicted_instead": e, "count": c} for (m, e), c in confusions.most_common(10)
        ],
    }


def read_evaluation_file(path: str | Path) -> list[Record]:
    """The labelled records of an evaluation file (JSONL/CSV/TSV/XLSX with the guide's fields);
    ``CorpusError`` when it breaks the schema or holds no record."""
    from .corpus import read_records

    records = read_records(path)
    if not records:
        raise CorpusError(f"{path}: no records to evaluate on; an evaluation file needs labelled "
                          "records (id, text, labels), one per line in JSONL or one per row in a table")
    return records


def evaluate_records(model: ComplaintClassifier, records: list[Record], path: str | Path) -> dict[str, Any]:
    """``scores`` of ``model`` on ``records`` (read from ``path``, which the result names)."""
    from .model import label_matrix

    y_true = label_matrix([r.labels for r in records])
    y_pred = model.predict_indicator([r.text for r in records])
    result = scores(y_true, y_pred)
    result["file"] = str(path)
    return result


def evaluate_file(model: ComplaintClassifier, path: str | Path) -> dict[str, Any]:
    """Score ``model`` on a labelled JSONL/CSV/TSV/XLSX file with the guide's fields."""
    return evaluate_records(model, read_evaluation_file(path), path)


def format_scores(result: dict[str, Any], title: str = "") -> str:
    """A plain-text table of ``scores`` output."""
    lines = [title] if title else []
    lines.append(f"{'label':15}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}")
    for label, v in result["per_label"].items():
        lines.append(f"{label:15}{v['precision']:10.3f}{v['recall']:8.3f}{v['f1']:8.3f}{v['support']:9d}")
    lines.append(
        f"macro-F1 {result['macro_f1']:.3f}   micro-F1 {result['micro_f1']:.3f}   "
        f"exact match {result['exact_match']:.3f}   n={result['n']}"
    )
    if result.get("confusions"):
        top = ", ".join(
            f"{c['gold_missed']}→{c['predicted_instead']} ×{c['count']}" for c in result["confusions"][:5]
        )
        lines.append(f"most common confusions (missed → predicted instead): {top}")
    return "\n".join(lines)


def robustness(model: ComplaintClassifier, texts: list[str]) -> dict[str, float]:
    """Share of ``texts`` whose predicted labels stay the same when the text is converted to
    Traditional characters, to full-width forms, or has an emoji appended."""
    from .normalization import to_fullwidth, to_traditional

    base = model.predict(texts)
    variants = {
        "Traditional characters": [to_traditional(t) for t in texts],
        "full-width forms": [to_fullwidth(t) for t in texts],
        "emoji appended": [t + " 😂" for t in texts],
    }
    return {
        name: sum(a == b for a, b in zip(base, model.predict(changed))) / max(1, len(texts))
        for name, changed in variants.items()
    }
