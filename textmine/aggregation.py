"""Add labelled feedback up by company size: complaint shares, scores, intervals.

``aggregate`` returns one row per size bucket (in bucket order), then ``unknown`` (if any
rows) and ``all``. Shares are estimated with one of three methods:

* ``"count"`` — the share of rows whose 0/1 label column is 1;
* ``"mean_proba"`` — the mean predicted probability ``p_<label>``;
* ``"adjusted"`` — the count corrected with the model's cross-validated true- and
  false-positive rates: ``(observed − fpr) / (tpr − fpr)``, clipped to [0, 1].

``method="auto"`` (the default) uses ``DEFAULT_METHOD``, the method that landed nearest the
true shares on held-out labelled data (``benchmarks/bench_shares.py``), falling back to
``"count"`` when the inputs it needs are missing. The method used is in
``result.attrs["method"]``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError
from .persistence import resolve_model
from .sizes import size_bucket
from .taxonomy import LABELS, SIZE_BUCKETS, UNKNOWN_SIZE

__all__ = ["aggregate", "wilson_interval", "detect_column", "SIZE_HEADERS", "SCORE_HEADERS", "DEFAULT_METHOD", "METHODS"]

SIZE_HEADERS = ("企业规模", "公司规模", "人员规模", "员工人数", "人数", "规模", "company_size", "company size", "size", "employees", "headcount")
SCORE_HEADERS = ("满意度评分", "满意度", "评分", "打分", "分数", "得分", "score", "rating", "satisfaction", "nps")
METHODS = ("count", "mean_proba", "adjusted")
#: chosen by benchmarks/bench_shares.py (see README, "Honest shares")
DEFAULT_METHOD = "count"
SHARE_COLUMNS = ("complaint_share", *LABELS)


def detect_column(columns: Any, headers: tuple[str, ...]) -> str | None:
    """The first column whose name matches ``headers`` (exact names first, then substrings)."""
    names = [str(c) for c in columns]
    lowered = {name: name.strip().lower() for name in names}
    for header in headers:
        for name in names:
            if lowered[name] == header:
                return name
    for header in headers:
        for name in names:
            if header in lowered[name]:
                return name
    return None


def wilson_interval(successes: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion (``successes`` may be fractional)."""
    if n <= 0:
        return (math.nan, math.nan)
    from statistics import NormalDist

    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = min(max(successes / n, 0.0), 1.0)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def _scores(series: pd.Series | None, n: int) -> pd.Series:
    if series is None:
        return pd.Series([math.nan] * n, dtype=float)
    numbers = pd.to_numeric(series, errors="coerce").astype(float)
    return numbers.where((numbers >= 0) & (numbers <= 10))


def _estimate(frame: pd.DataFrame, method: str, rates: dict[str, dict[str, float]] | None) -> dict[str, float]:
    """Estimated share of each label (and of 'any complaint') among ``frame``'s rows."""
    hits = frame[list(LABELS)].to_numpy(dtype=float)
    out: dict[str, float] = {}
    if len(frame) == 0:
        return dict.fromkeys(SHARE_COLUMNS, math.nan)
    observed = {label: hits[:, j].mean() for j, label in enumerate(LABELS)}
    observed["any"] = (hits.sum(axis=1) > 0).mean()
    if method == "mean_proba":
        proba = frame[[f"p_{label}" for label in LABELS]].to_numpy(dtype=float)
        for j, label in enumerate(LABELS):
            out[label] = float(proba[:, j].mean())
        out["complaint_share"] = float((1 - np.prod(1 - proba, axis=1)).mean())
        return out
    for name, value in observed.items():
        key = "complaint_share" if name == "any" else name
        if method == "adjusted" and rates is not None:
            tpr, fpr = rates[name]["tpr"], rates[name]["fpr"]
            value = (value - fpr) / (tpr - fpr) if tpr - fpr > 0.05 else value
        out[key] = float(min(max(value, 0.0), 1.0))
    return out


def aggregate(
    df: pd.DataFrame,
    size_col: str | None = None,
    score_col: str | None = None,
    *,
    text_col: str | None = None,
    model: Any = None,
    method: str = "auto",
    dissatisfied_max: float = 6,
    intolerable_max: float = 3,
    min_n: int = 30,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Complaint shares and satisfaction by company-size bucket.

    ``df`` holds the six 0/1 label columns (as ``label_frame`` adds them) or raw texts in
    ``text_col`` (labelled first). Without ``size_col`` only the ``all`` row is returned;
    without ``score_col`` the score columns are NaN. Scores are on a 1–10 scale:
    dissatisfied means ``score <= dissatisfied_max`` (6), intolerable ``score <= intolerable_max``
    (3). Every share has ``<share>_low``/``_high`` Wilson bounds; ``small_sample`` flags rows
    with fewer than ``min_n`` responses.
    """
    if method not in ("auto", *METHODS):
        raise InputError(f"method must be 'auto' or one of {', '.join(METHODS)}, got {method!r}")
    for col in (size_col, score_col):
        if col is not None and col not in df.columns:
            raise InputError(f"column {col!r} not found; the columns are {', '.join(map(repr, map(str, df.columns)))}")
    model_obj = None
    if not set(LABELS) <= set(map(str, df.columns)):
        from .labeling import label_frame

        model_obj = resolve_model(model)
        df = label_frame(df, text_col=text_col, model=model_obj)
    chosen = _choose_method(df, method, model, model_obj)
    rates = None
    if chosen == "adjusted":
        rates = _rates_of(model_obj if model_obj is not None else model)
    frame = pd.DataFrame({label: pd.to_numeric(df[label], errors="coerce").fillna(0).clip(0, 1) for label in LABELS})
    if chosen == "mean_proba":
        for label in LABELS:
            frame[f"p_{label}"] = pd.to_numeric(df[f"p_{label}"], errors="coerce").fillna(0)
    frame["score"] = _scores(df[score_col] if score_col else None, len(df)).to_numpy()
    frame["bucket"] = [size_bucket(v) for v in df[size_col]] if size_col else "all"

    groups: list[tuple[str, pd.DataFrame]] = []
    if size_col:
        groups += [(b, frame[frame["bucket"] == b]) for b in SIZE_BUCKETS]
        unknown = frame[frame["bucket"] == UNKNOWN_SIZE]
        if len(unknown):
            groups.append((UNKNOWN_SIZE, unknown))
    groups.append(("all", frame))
    rows = [_summarise(name, part, chosen, rates, dissatisfied_max, intolerable_max, min_n, confidence)
            for name, part in groups]
    result = pd.DataFrame(rows).set_index("bucket")
    result.attrs.update(method=chosen, dissatisfied_max=dissatisfied_max, intolerable_max=intolerable_max,
                        min_n=min_n, confidence=confidence)
    return result


def _choose_method(df: pd.DataFrame, method: str, model: Any, model_obj: Any) -> str:
    has_proba = all(f"p_{label}" in df.columns for label in LABELS)
    if method == "auto":
        method = DEFAULT_METHOD
        if method == "mean_proba" and not has_proba:
            method = "count"
        if method == "adjusted" and _rates_of(model_obj if model_obj is not None else model, quiet=True) is None:
            method = "count"
        return method
    if method == "mean_proba" and not has_proba:
        raise InputError("method 'mean_proba' needs the p_<label> columns that label_frame adds")
    if method == "adjusted" and _rates_of(model_obj if model_obj is not None else model, quiet=True) is None:
        raise InputError("method 'adjusted' needs a model trained with cross-validated thresholds")
    return method


def _rates_of(model: Any, quiet: bool = False) -> dict[str, dict[str, float]] | None:
    try:
        return getattr(resolve_model(model), "cv_rates_", None)
    except Exception:
        if quiet:
            return None
        raise


def _summarise(name: str, part: pd.DataFrame, method: str, rates: Any, dissatisfied_max: float,
               intolerable_max: float, min_n: int, confidence: float) -> dict[str, Any]:
    n = len(part)
    row: dict[str, Any] = {"bucket": name, "n": n}
    shares = _estimate(part, method, rates)
    for key in SHARE_COLUMNS:
        row[key] = shares[key]
        low, high = wilson_interval(shares[key] * n, n, confidence) if n else (math.nan, math.nan)
        row[f"{key}_low"], row[f"{key}_high"] = low, high
    scored = part["score"].dropna()
    m = len(scored)
    row["n_scored"] = m
    row["mean_score"] = float(scored.mean()) if m else math.nan
    dissatisfied = scored[scored <= dissatisfied_max]
    intolerable = scored[scored <= intolerable_max]
    row["dissatisfied_share"] = len(dissatisfied) / m if m else math.nan
    row["dissatisfied_share_low"], row["dissatisfied_share_high"] = wilson_interval(len(dissatisfied), m, confidence)
    row["dissatisfied_mean_score"] = float(dissatisfied.mean()) if len(dissatisfied) else math.nan
    row["intolerable_share"] = len(intolerable) / m if m else math.nan
    row["intolerable_share_low"], row["intolerable_share_high"] = wilson_interval(len(intolerable), m, confidence)
    row["small_sample"] = n < min_n
    return row
