"""Label feedback tables: ``label_frame`` for DataFrames, ``label_file`` for files of any size.

``label_frame`` is pure (returns a new frame, index preserved) and works as the function of
``dask.dataframe.map_partitions`` and Spark's ``mapInPandas``. ``label_file`` streams
CSV/TSV/TXT/JSONL in chunks (memory stays flat), can spread chunks over processes while
keeping row order, and writes its output atomically.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import InputError, OutputExistsError, check_jobs
from .persistence import resolve_model
from .taxonomy import LABELS

if TYPE_CHECKING:
    from .model import ComplaintClassifier

__all__ = ["label_frame", "label_file", "LabelSummary", "detect_text_column", "output_columns", "TEXT_HEADERS"]

logger = logging.getLogger(__name__)

#: Header words that mark the free-text column, most specific first.
TEXT_HEADERS = ("意见", "反馈", "内容", "评价", "留言", "建议", "描述", "评论", "回答", "文本", "投诉", "诉求",
                "text", "comment", "feedback", "review", "content", "message", "description", "remark")
#: Texts longer than this are scored on their first MAX_TEXT_CHARS characters (output keeps all).
MAX_TEXT_CHARS = 20_000


def output_columns(prefix: str = "", evidence: bool = False) -> list[str]:
    """Names of the columns ``label_frame`` adds, in order."""
    cols = [f"{prefix}labels", *(f"{prefix}{label}" for label in LABELS), *(f"{prefix}p_{label}" for label in LABELS)]
    return cols + ([f"{prefix}evidence"] if evidence else [])


def detect_text_column(columns: Iterable[Any], where: str = "input") -> str:
    """The free-text column among ``columns`` by header words; error listing them otherwise."""
    from .normalization import normalize

    columns = [str(c) for c in columns]
    plain = {c: normalize(c).lower() for c in columns}  # 意見反饋 and ＴＥＸＴ match too
    exact = [c for c in columns if plain[c] in ("text", "文本", "意见反馈", "feedback")]
    if len(exact) == 1:
        return exact[0]
    matches = [c for c in columns if any(word in plain[c] for word in TEXT_HEADERS)]
    if len(matches) == 1:
        return matches[0]
    found = ", ".join(repr(c) for c in columns)
    if not matches:
        raise InputError(f"{where}: no feedback text column found among {found}; use --text-col to name it")
    raise InputError(
        f"{where}: several columns could hold the feedback ({', '.join(map(repr, matches))}); use --text-col to pick one"
    )


def _check_columns(columns: Iterable[Any], prefix: str, evidence: bool, where: str) -> None:
    clash = [c for c in output_columns(prefix, evidence) if c in {str(x) for x in columns}]
    if clash:
        raise InputError(
            f"{where}: column(s) {', '.join(map(repr, clash))} already exist; textmine would overwrite them. "
            f"Use --prefix (label_frame(prefix=...)), e.g. --prefix tm_, to name textmine's columns differently"
        )


def _label_texts(texts: list[Any], model: ComplaintClassifier, evidence: bool, prefix: str) -> pd.DataFrame:
    """The added columns for ``texts`` (index 0..n-1)."""
    scored = [t[:MAX_TEXT_CHARS] if isinstance(t, str) else t for t in texts]
    proba = model.predict_proba(scored).to_numpy()
    hits = (proba >= model.thresholds_).astype(np.int8)
    out = pd.DataFrame(index=range(len(texts)))
    out[f"{prefix}labels"] = [";".join(label for label, hit in zip(LABELS, row) if hit) for row in hits.tolist()]
    for j, label in enumerate(LABELS):
        out[f"{prefix}{label}"] = hits[:, j].astype(np.int64)
    for j, label in enumerate(LABELS):
        out[f"{prefix}p_{label}"] = np.round(proba[:, j], 4)
    if evidence:
        out[f"{prefix}evidence"] = [
            "; ".join(f"{label}: {', '.join(p for p, _ in phrases)}" for label, phrases in model.explain(t).items())
            if row.any() else ""
            for t, row in zip(scored, hits)
        ]
    return out


def label_frame(
    df: pd.DataFrame,
    text_col: str | None = None,
    model: Any = None,
    *,
    evidence: bool = False,
    prefix: str = "",
) -> pd.DataFrame:
    """``df`` plus the label columns: ``labels`` (ids joined by ``;``), one 0/1 column per
    label, ``p_<label>`` probabilities and, with ``evidence=True``, the phrases behind them.

    >>> textmine.label_frame(pd.DataFrame({"意见": ["电话一直占线"]}))   # doctest: +SKIP
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"label_frame expects a pandas DataFrame, got {type(df).__name__}")
    col = text_col if text_col is not None else detect_text_column(df.columns, "DataFrame")
    if col not in df.columns:
        raise InputError(f"text column {col!r} not found; the columns are {', '.join(map(repr, map(str, df.columns)))}")
    _check_columns(df.columns, prefix, evidence, "DataFrame")
    added = _label_texts(df[col].tolist(), resolve_model(model), evidence, prefix)
    added.index = df.index
    return pd.concat([df, added], axis=1)


@dataclass
class LabelSummary:
    """What ``label_file`` did."""

    input: str
    output: str
    rows: int
    with_complaint: int
    empty_texts: int
    truncated_texts: int
    seconds: float
    input_format: str
    encoding: str | None
    text_col: str

    def line(self) -> str:
        rate = self.rows / self.seconds if self.seconds else float("inf")
        extra = f", {self.truncated_texts} over {MAX_TEXT_CHARS} characters scored on their start" if self.truncated_texts else ""
        return (f"labelled {self.rows} rows of {self.input} ({self.input_format}, {self.encoding or 'binary'}): "
                f"{self.with_complaint} with a complaint, {self.empty_texts} empty texts{extra}; "
                f"{self.seconds:.1f} s ({rate:.0f} rows/s) -> {self.output}")


def _check_texts(texts: pd.Series, column: str, src: Path) -> None:
    """Refuse a text cell that holds a list or an object (JSONL can), naming its data row."""
    nested = texts.map(lambda v: isinstance(v, (list, dict, tuple)))
    if nested.any():
        row = nested.idxmax()
        value = repr(texts[row])
        raise InputError(
            f"{src}, data row {row + 1}: column {column!r} holds a {type(texts[row]).__name__}, not a text: "
            f"{value[:60]}{'…' if len(value) > 60 else ''}; store one string per row"
        )


def _worker(texts: list[Any], model: Any, evidence: bool, prefix: str) -> pd.DataFrame:
    return _label_texts(texts, resolve_model(model), evidence, prefix)


def label_file(
    input: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    text_col: str | None = None,
    sheet: str | None = None,
    jobs: int = 1,
    chunk_size: int = 5000,
    model: Any = None,
    evidence: bool = False,
    force: bool = False,
    encoding: str | None = None,
    prefix: str = "",
    neutralise_formulas: bool = True,
    progress: Callable[[int, float | None], None] | None = None,
) -> LabelSummary:
    """Label every row of ``input`` and write ``output`` (formats by extension).

    The output holds every input column and row in input order plus ``output_columns()``.
    It is written to a temporary file and renamed on success; ``input`` is never modified;
    an existing ``output`` is kept unless ``force``. ``progress(rows_done, fraction)`` is
    called after each chunk (``fraction`` is None when the total is unknown).
    """
    from .io import TableWriter, blank_cells, iter_table

    src, dst = Path(input), Path(output)
    if chunk_size < 1:
        raise InputError(f"--chunk-size must be at least 1, got {chunk_size}")
    check_jobs(jobs)
    if jobs < 0:
        jobs = max(1, (os.cpu_count() or 1) + 1 + jobs)  # joblib style: -1 = all cores
    if dst.exists() and not force:
        raise OutputExistsError(f"{dst} exists; pass --force to overwrite it")
    if src.exists() and dst.exists() and src.resolve() == dst.resolve():
        raise InputError(f"{dst}: the output would overwrite the input; choose another name")
    started = time.perf_counter()
    chunks, fmt, enc = iter_table(src, chunk_size=chunk_size, encoding=encoding, sheet=sheet)
    model_obj = resolve_model(model)  # fail before writing anything if the model is unusable
    # workers get a path (each loads and caches the model once) unless given an object
    worker_model = model_obj if model is not None and not isinstance(model, (str, os.PathLike)) else model
    size = src.stat().st_size
    rows = complaints = empty = truncated = 0
    col: str | None = text_col
    bytes_per_row: float | None = None

    def prepared() -> Iterable[pd.DataFrame]:
        nonlocal col
        for chunk in chunks:
            if col is None:
                col = detect_text_column(chunk.columns, str(src))
            if col not in chunk.columns:
                raise InputError(f"{src}: expected a text column {col!r}, found {', '.join(map(repr, map(str, chunk.columns)))}; use --text-col")
            _check_columns(chunk.columns, prefix, evidence, str(src))
            _check_texts(chunk[col], col, src)
            yield chunk

    with TableWriter(dst, neutralise=neutralise_formulas) as writer:
        if jobs == 1:
            results = ((chunk, _label_texts(chunk[col].tolist(), model_obj, evidence, prefix)) for chunk in prepared())
        else:
            results = _parallel(prepared, lambda: col, jobs, worker_model, evidence, prefix)
        for chunk, added in results:
            added.index = chunk.index
            texts = chunk[col]
            empty += int(blank_cells(texts).sum())
            truncated += int(texts.map(lambda t: isinstance(t, str) and len(t) > MAX_TEXT_CHARS).sum())
            complaints += int((added[f"{prefix}labels"] != "").sum())
            writer.write(pd.concat([chunk, added], axis=1))
            rows += len(chunk)
            if progress is not None:
                if bytes_per_row is None and fmt in (".csv", ".tsv", ".txt", ".jsonl") and len(chunk):
                    bytes_per_row = len(chunk.to_csv(index=False).encode("utf-8")) / len(chunk)
                fraction = min(1.0, rows * bytes_per_row / size) if bytes_per_row else None
                progress(rows, fraction)
        if rows == 0:
            raise InputError(f"{src}: no rows to label")
        writer.commit()
    return LabelSummary(str(src), str(dst), rows, complaints, empty, truncated,
                        time.perf_counter() - started, fmt.lstrip("."), enc, col or "")


def _parallel(prepared: Callable[[], Iterable[pd.DataFrame]], column: Callable[[], str | None], jobs: int,
              model: Any, evidence: bool, prefix: str) -> Iterable[tuple[pd.DataFrame, pd.DataFrame]]:
    """Chunks labelled by ``jobs`` worker processes, in input order, with bounded look-ahead."""
    from joblib import Parallel, delayed

    pending: deque[pd.DataFrame] = deque()

    def tasks():
        for chunk in prepared():
            pending.append(chunk)
            yield delayed(_worker)(chunk[column()].tolist(), model, evidence, prefix)

    parallel = Parallel(n_jobs=jobs, backend="loky", return_as="generator", pre_dispatch="2*n_jobs")
    for added in parallel(tasks()):
        yield pending.popleft(), added
