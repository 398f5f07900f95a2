"""Add labelled feedback up by company size: complaint shares, scores, intervals.

``aggregate`` returns one row per size bucket (in bucket order), then ``unknown`` (if any
rows) and ``all``. Shares are estimated with one of three methods:

* ``"count"`` — the share of rows whose 0/1 label column is 1;
* ``"mean_proba"`` — the mean predicted probability ``p_<label>``;
* ``"adjusted"`` — the count corrected with the model's cross-validated true- and
  false-positive rates: ``(observed − fpr) / (tpr − fpr)``, clipped to [0, 1].

``method="auto"`` (the default) uses ``DEFAULT_METHOD``: ``"count"``, unless another method
lands nearer the true shares on held-out labelled data by more than 0.01
(``benchmarks/bench_shares.py``; counted shares add up to the labelled file's columns), falling back to
``"count"`` when the inputs it needs are missing. The method used is in
``result.attrs["method"]``.

Label and probability columns read from files (text such as ``"1"``, ``"1.0"``, ``"True"``)
are coerced to numbers by ``coerce_label_columns``; scores are read by ``parse_scores``.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError
from .io import blank_cells
from .persistence import resolve_model
from .sizes import size_bucket
from .taxonomy import LABELS, SIZE_BUCKETS, UNKNOWN_SIZE

__all__ = ["aggregate", "wilson_interval", "detect_column", "coerce_label_columns", "parse_scores",
           "SIZE_HEADERS", "SCORE_HEADERS", "DEFAULT_METHOD", "METHODS"]

logger = logging.getLogger(__name__)

SIZE_HEADERS = ("企业规模", "公司规模", "人员规模", "员工人数", "人数", "规模", "company_size", "company size", "size", "employees", "headcount")
SCORE_HEADERS = ("满意度评分", "满意度", "评分", "打分", "分数", "得分", "score", "rating", "satisfaction", "nps")
METHODS = ("count", "mean_proba", "adjusted")
#: chosen by benchmarks/bench_shares.py (see README, "Honest shares")
DEFAULT_METHOD = "count"
SHARE_COLUMNS = ("complaint_share", *LABELS)
SCORE_MAX = 10
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def detect_column(columns: Any, headers: tuple[str, ...]) -> str | None:
    """The first column whose name matches ``headers`` (exact names first, then substrings;
    Traditional and full-width names match their plain forms: 企業規模 is 企业规模)."""
    from .normalization import normalize

    names = [str(c) for c in columns]
    lowered = {name: normalize(name).lower() for name in names}
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


def _first_bad(values: pd.Series, bad: pd.Series) -> tuple[Any, int, int]:
    """The first offending value, its 1-based data row and how many offend."""
    positions = np.flatnonzero(bad.to_numpy(dtype=bool))
    return values.iloc[positions[0]], int(positions[0]) + 1, len(positions)


def _as_numbers(values: pd.Series, words: dict[str, str] | None = None) -> pd.Series:
    """``values`` as floats (NaN where unreadable); text is stripped and ``words`` replaced first."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_object_dtype(values.dtype):
        return values.astype(float)
    text = values.astype("string").str.strip()
    if words:
        text = text.str.lower().replace(words)
    return pd.to_numeric(text, errors="coerce").astype(float)


def coerce_label_columns(df: pd.DataFrame, where: str = "input") -> pd.DataFrame:
    """A copy of ``df`` with the 0/1 label columns as ints and ``p_<label>`` as floats.

    Label cells may be 0/1, ``"0"``/``"1"``, ``"1.0"`` or True/False (any case); a blank cell
    is 0 (a sheet marked by hand has 1 where a label applies and nothing elsewhere).
    Probabilities may be any number in [0, 1] or blank (NaN). Anything else raises
    ``InputError`` naming ``where``, the column and an example value.
    """
    out = df.copy()
    names = {str(c): c for c in df.columns}
    for label in LABELS:
        col = names.get(label)
        if col is None:
            continue
        numbers = _as_numbers(df[col], {"true": "1", "false": "0"})
        numbers[blank_cells(df[col])] = 0.0
        bad = ~numbers.isin([0.0, 1.0])
        if bad.any():
            value, row, count = _first_bad(df[col], bad)
            raise InputError(f"{where}: label column {label!r} must hold 0/1 or True/False; data row {row} holds "
                             f"{value!r} ({count} such value{'s' if count > 1 else ''})")
        out[col] = numbers.astype(int).to_numpy()
        p_col = names.get(f"p_{label}")
        if p_col is None:
            continue
        proba = _as_numbers(df[p_col])
        bad = ~proba.between(0.0, 1.0) & ~blank_cells(df[p_col])
        if bad.any():
            value, row, count = _first_bad(df[p_col], bad)
            raise InputError(f"{where}: probability column {f'p_{label}'!r} must hold numbers from 0 to 1; data row {row} "
                             f"holds {value!r} ({count} such value{'s' if count > 1 else ''})")
        out[p_col] = proba.to_numpy()
    return out


def _score_value(value: Any) -> float | None:
    """One score as a float: NaN when blank, None when unreadable."""
    if value is None or value is pd.NA:
        return math.nan
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        return number if math.isnan(number) or math.isfinite(number) else None
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return math.nan
    text = text.removesuffix("分").strip()
    return float(text) if _NUMBER.fullmatch(text) else None


def parse_scores(series: pd.Series, column: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Satisfaction scores out of 10 as floats, and a mask of the unreadable ones.

    Numbers and numeric text are read, full-width digits and a trailing 分 included (``"７"``,
    ``"7 分"``, ``"8.5"``). Blanks are missing (NaN, not unreadable). Text that is no number and
    negative scores are unreadable: NaN, and True in the mask. Scores above 10 raise
    ``InputError`` naming the column and an example: they suggest another scale (such as
    100 points), and reading only the values that happen to be ≤ 10 would mix scales.
    """
    name = column if column is not None else series.name
    parsed = [_score_value(v) for v in series]
    unreadable = np.array([v is None for v in parsed], dtype=bool)
    numbers = np.array([math.nan if v is None else v for v in parsed], dtype=float)
    unreadable |= numbers < 0
    numbers[numbers < 0] = math.nan
    above = numbers > SCORE_MAX
    if above.any():
        value, row, count = _first_bad(series, pd.Series(above))
        raise InputError(f"score column {str(name)!r} holds values above {SCORE_MAX} (e.g. {value!r} in data row {row}; "
                         f"{count} such value{'s' if count > 1 else ''}): scores are read out of {SCORE_MAX}, so "
                         f"convert the column to a 0–{SCORE_MAX} scale first")
    return (pd.Series(numbers, index=series.index, dtype=float),
            pd.Series(unreadable, index=series.index, dtype=bool))


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
    without ``score_col`` the score columns are NaN. Scores are out of 10 (read by
    ``parse_scores``, which raises on scores above 10): dissatisfied means
    ``score <= dissatisfied_max`` (6), intolerable ``score <= intolerable_max`` (3). Unreadable
    scores are left out of the score figures, counted in ``n_score_unreadable`` and in
    ``result.attrs["unreadable_scores"]`` (with up to three ``unreadable_score_examples``), and
    logged as a warning. Label columns must hold 0/1 (see ``coerce_label_columns``). Every share
    has ``<share>_low``/``_high`` Wilson bounds; ``small_sample`` flags rows with fewer than
    ``min_n`` responses.
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
    if model_obj is None:
        df = coerce_label_columns(df)
    frame = pd.DataFrame({label: df[label].to_numpy(dtype=float) for label in LABELS}, index=df.index)
    if chosen == "mean_proba":
        for label in LABELS:
            frame[f"p_{label}"] = df[f"p_{label}"].to_numpy(dtype=float)
            if np.isnan(frame[f"p_{label}"]).any():
                raise InputError(f"method 'mean_proba' needs a probability on every row; column 'p_{label}' has blanks "
                                 "(use --method count, or --relabel to predict them)")
    examples: list[Any] = []
    if score_col:
        scores, unreadable = parse_scores(df[score_col], score_col)
        frame["score"], frame["score_unreadable"] = scores.to_numpy(), unreadable.to_numpy()
        examples = list(dict.fromkeys(df[score_col][unreadable].astype(str)))[:3]
        if unreadable.any():
            logger.warning("%d of %d scores in column %r are unreadable (e.g. %s) and left out of the score figures",
                           int(unreadable.sum()), len(df), score_col, ", ".join(map(repr, examples)))
    else:
        frame["score"], frame["score_unreadable"] = math.nan, False
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
                        min_n=min_n, confidence=confidence, unreadable_scores=int(frame["score_unreadable"].sum()),
                        unreadable_score_examples=examples)
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
    row["n_score_unreadable"] = int(part["score_unreadable"].sum())
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
