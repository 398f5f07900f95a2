"""Why a text got its labels: phrases whose removal lowers each label's probability most."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .normalization import normalize
from .taxonomy import LABELS

if TYPE_CHECKING:
    from .model import ComplaintClassifier

__all__ = ["explain_text"]

_MAX_SPAN = 3


def _spans(tokenizer: Any, text: str) -> list[tuple[int, int]]:
    """Token boundaries of ``text`` as ``(start, end)`` character offsets, punctuation skipped."""
    spans, pos = [], 0
    for token in tokenizer.raw_tokens(text):
        start, pos = pos, pos + len(token)
        if token.strip() and any(ch.isalnum() or ord(ch) > 0x2E80 for ch in token):
            spans.append((start, pos))
    return spans


def explain_text(clf: ComplaintClassifier, text: Any, top: int = 5) -> dict[str, list[tuple[str, float]]]:
    clean = normalize(text)
    if not clean:
        return {}
    base = clf.predict_proba([clean]).to_numpy()[0]
    predicted = [j for j in range(len(LABELS)) if base[j] >= clf.thresholds_[j]]
    if not predicted:
        return {}
    tokenizer = clf.features_.tokenizer_
    tokens = _spans(tokenizer, clean)
    candidates = [
        (tokens[i][0], tokens[i + n - 1][1])
        for n in range(1, _MAX_SPAN + 1)
        for i in range(len(tokens) - n + 1)
    ]
    if not candidates:
        return {LABELS[j]: [] for j in predicted}
    variants = [clean[:a] + " " + clean[b:] for a, b in candidates]
    drops = base[None, :] - clf.predict_proba(variants).to_numpy()
    result: dict[str, list[tuple[str, float]]] = {}
    for j in predicted:
        order = np.argsort(-drops[:, j], kind="stable")
        chosen: list[tuple[int, int, float]] = []
        for k in order:
            a, b = candidates[k]
            weight = float(drops[k, j])
            if weight <= 0.01 or len(chosen) >= top:
                break
            if any(a < e and s < b for s, e, _ in chosen):  # overlaps a stronger phrase
                continue
            chosen.append((a, b, weight))
        result[LABELS[j]] = [(clean[a:b], round(w, 4)) for a, b, w in chosen]
    return result
