"""The study's views of a feedback file, rendered as HTML, Markdown, Excel or CSV.

``build_report`` labels (if needed) and aggregates; ``render`` writes one format. The HTML is
one self-contained file: inline CSS and SVG charts whose text stays text, so Chinese renders
in any browser without fonts on the machine that made it.
"""

from __future__ import annotations

import html
import logging
import math
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .atomic import atomic_path
from .errors import InputError, OutputExistsError
from .normalization import _is_missing as _missing
from .taxonomy import LABEL_INFO, LABELS, SIZE_BUCKETS

logger = logging.getLogger(__name__)

__all__ = ["Report", "build_report", "render", "write_report", "HEAVYWEIGHTS", "STUDY_DISSATISFIED_MEAN"]

#: The study's two "heavyweight" groups and their dissatisfied users' mean scores (of 10).
HEAVYWEIGHTS = ("51-200", "2000+")
STUDY_DISSATISFIED_MEAN = {"51-200": 5.1, "2000+": 5.2}
REPORT_FORMATS = (".html", ".md", ".xlsx", ".csv")
_FONT = "'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC','Source Han Sans SC',sans-serif"
METHOD_TEXT = {
    "mean_proba": "mean predicted probability per label",
    "count": "share of responses given the label (as near the true shares on held-out labelled data as the mean probability, and adds up to the label columns)",
    "adjusted": "label count corrected with the model's cross-validated true/false-positive rates",
}


def _name(label: str) -> str:
    return f"{LABEL_INFO[label].name_zh} ({label})"


@dataclass
class Report:
    """Everything the renderers show."""

    title: str
    source: str
    method: str
    thresholds: tuple[float, float]
    text_col: str
    size_col: str | None
    score_col: str | None
    by_size: pd.DataFrame
    prevalence: pd.DataFrame
    top_pains: pd.DataFrame
    quotes: dict[str, list[tuple[str, float]]]
    terms: list[tuple[str, int]]
    notes: list[str] = field(default_factory=list)

    @property
    def headline(self) -> dict[str, Any]:
        row = self.by_size.loc["all"]
        return {"responses": int(row["n"]), "dissatisfied_share": row["dissatisfied_share"],
                "intolerable_share": row["intolerable_share"], "complaint_share": row["complaint_share"],
                "mean_score": row["mean_score"], "scored": int(row["n_scored"]),
                "unreadable_scores": int(row["n_score_unreadable"])}


def _label_prefix(columns: Any) -> str:
    """The prefix of the six label columns when a file was labelled with ``--prefix`` (all six
    ``<prefix><label>`` columns and no plain ones), else ``""``."""
    names = {str(c) for c in columns}
    if names & set(LABELS):
        return ""
    found = {name[: -len(LABELS[0])] for name in names if name.endswith(LABELS[0]) and name != LABELS[0]}
    found = {p for p in found if all(f"{p}{label}" in names for label in LABELS)}
    found -= {f"{p}p_" for p in found}  # tm_p_channel … are the probabilities of prefix tm_
    return found.pop() if len(found) == 1 else ""


def _guessed_score_column(df: pd.DataFrame, notes: list[str]) -> str | None:
    """The score column found by its header, or None. A column matched only by part of its
    name (``operating_years`` holds "rating") whose values are no 0–10 scores is passed over
    with a note; one named exactly like a score column (评分, score) must hold 0–10 scores."""
    from .aggregation import SCORE_HEADERS, detect_column, parse_scores
    from .normalization import normalize

    col = detect_column(df.columns, SCORE_HEADERS)
    if col is None or normalize(col).lower() in SCORE_HEADERS:
        return col
    try:
        parse_scores(df[col], col)
    except InputError:
        logger.warning("column %r looked like a score column by its name but holds values above 10; "
                       "not used (name it with --score-col after converting it to 0-10)", col)
        notes.append(f"column “{col}” is not used as scores: its values go above 10")
        return None
    return col


def _stopwords() -> set[str]:
    text = resources.files("textmine").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    return {w for line in text.splitlines() if not line.startswith("#") for w in line.split()}


def build_report(
    df: pd.DataFrame,
    *,
    text_col: str | None = None,
    size_col: str | None = None,
    score_col: str | None = None,
    relabel: bool = False,
    model: Any = None,
    method: str = "auto",
    dissatisfied_max: float = 6,
    intolerable_max: float = 3,
    title: str = "售后服务反馈分析 · After-sales feedback report",
    source: str = "",
) -> Report:
    """Label ``df`` when it has no label columns (or ``relabel``), aggregate, and collect the views.

    Label columns taken from the input may be text (as files are read): they are coerced to
    numbers, and a value other than 0/1/True/False raises ``InputError``. Scores are read by
    ``aggregation.parse_scores``; unreadable ones are counted in the notes.
    """
    from .aggregation import (
        SIZE_HEADERS,
        aggregate,
        coerce_label_columns,
        detect_column,
        parse_scores,
    )
    from .labeling import detect_text_column, label_frame
    from .tokenization import tokenize

    text_col = text_col or detect_text_column(df.columns, source or "input")
    size_col = size_col or detect_column(df.columns, SIZE_HEADERS)
    notes = []
    if score_col is None:
        score_col = _guessed_score_column(df, notes)
    for col in (text_col, size_col, score_col):
        if col is not None and col not in df.columns:
            raise InputError(f"{source or 'input'}: column {col!r} not found; the columns are {', '.join(map(repr, map(str, df.columns)))}")
    prefix = _label_prefix(df.columns)
    if prefix and not relabel:  # written by `textmine label --prefix`: read its columns as labels
        own = [*LABELS, "labels", *(f"p_{x}" for x in LABELS), "evidence"]
        df = df.rename(columns={f"{prefix}{name}": name for name in own})
        notes.append(f"labels taken from the input's “{prefix}” columns")
    has_labels = set(LABELS) <= {str(c) for c in df.columns}
    if relabel or not has_labels:
        if has_labels:
            df = df.drop(columns=[c for c in df.columns if str(c) in {*LABELS, "labels", *(f"p_{x}" for x in LABELS), "evidence"}])
        df = label_frame(df, text_col=text_col, model=model)
        notes.append("labels predicted by the textmine model")
    else:
        df = coerce_label_columns(df, source or "input")
        if not prefix:
            notes.append("labels taken from the input's label columns")
    common = dict(size_col=size_col, score_col=score_col, model=model, method=method,
                  dissatisfied_max=dissatisfied_max, intolerable_max=intolerable_max)
    by_size = aggregate(df, **common)
    chosen = by_size.attrs["method"]
    common["method"] = chosen
    unreadable = by_size.attrs["unreadable_scores"]
    if unreadable:
        examples = ", ".join(f"“{v}”" for v in by_size.attrs["unreadable_score_examples"])
        notes.append(f"{unreadable} of {len(df)} scores in “{score_col}” unreadable (e.g. {examples}) and left out of the score figures")

    scores = parse_scores(df[score_col], score_col)[0] if score_col else pd.Series(np.nan, index=df.index)
    dissatisfied = df[scores <= dissatisfied_max]
    among = aggregate(dissatisfied, **{**common, "size_col": None}).loc["all"] if len(dissatisfied) else None
    prevalence = pd.DataFrame({
        "label": LABELS,
        "name_zh": [LABEL_INFO[label].name_zh for label in LABELS],
        "all": [by_size.loc["all", label] for label in LABELS],
        "dissatisfied": [among[label] if among is not None else math.nan for label in LABELS],
    }).set_index("label")

    order = [b for b in HEAVYWEIGHTS if b in by_size.index] + [
        b for b in (*SIZE_BUCKETS, "unknown") if b in by_size.index and b not in HEAVYWEIGHTS]
    top = []
    for bucket in order:
        row = by_size.loc[bucket]
        if row["n"] == 0:
            continue
        ranked = sorted(LABELS, key=lambda label: -row[label])[:3]
        top.append({"bucket": bucket, "n": int(row["n"]), **{f"top{i + 1}": f"{_name(lab)} {row[lab]:.0%}" for i, lab in enumerate(ranked)}})
    top_pains = pd.DataFrame(top).set_index("bucket") if top else pd.DataFrame()

    quotes: dict[str, list[tuple[str, float]]] = {}
    texts = df[text_col].astype("string").fillna("")
    short = texts.str.len().between(6, 80)
    for label in LABELS:
        hits = df[(df[label] == 1) & short.to_numpy()]
        best = hits.sort_values(f"p_{label}", ascending=False, kind="stable") if f"p_{label}" in hits else hits
        seen: set[str] = set()
        chosen_quotes = []
        for _, row in best.iterrows():
            text = str(row[text_col]).strip()
            if text in seen:
                continue
            seen.add(text)
            chosen_quotes.append((text, float(row.get(f"p_{label}", 1.0))))
            if len(chosen_quotes) == 3:
                break
        quotes[label] = chosen_quotes

    stop = _stopwords()
    counts: Counter[str] = Counter()  # in how many dissatisfied responses each term occurs
    for text, times in dissatisfied[text_col].dropna().value_counts(sort=False).items():  # surveys repeat answers
        for term in {t for t in tokenize(text) if len(t) >= 2 and t not in stop and not t.isdigit()}:
            counts[term] += times
    terms = sorted(counts.items(), key=lambda tc: (-tc[1], tc[0]))[:40]  # ties by term: same on every run
    return Report(title, source, chosen, (dissatisfied_max, intolerable_max), text_col, size_col, score_col,
                  by_size, prevalence, top_pains, quotes, terms, notes)


# --- formatting helpers ------------------------------------------------------------------------
def _pct(value: Any) -> str:
    return "–" if _missing(value) else f"{value:.0%}"


def _num(value: Any, digits: int = 1) -> str:
    return "–" if _missing(value) else f"{value:.{digits}f}"


def _svg_open(width: float, height: float) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'font-family="{_FONT}" font-size="12" role="img">')


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _bars_svg(rows: list[tuple[str, list[float]]], series: list[str], colors: list[str], width: int = 760) -> str:
    """Horizontal grouped bars; values in [0, 1]."""
    label_w, bar_h, gap = 280, 14, 10
    group_h = bar_h * len(series) + gap
    height = 30 + group_h * len(rows)
    out = [_svg_open(width, height)]
    for k, (name, color) in enumerate(zip(series, colors)):
        out.append(f'<rect x="{label_w + k * 150}" y="4" width="12" height="12" fill="{color}"/>'
                   f'<text x="{label_w + k * 150 + 16}" y="14">{_e(name)}</text>')
    scale = width - label_w - 60
    for i, (name, values) in enumerate(rows):
        y0 = 26 + i * group_h
        out.append(f'<text x="{label_w - 8}" y="{y0 + group_h / 2}" text-anchor="end">{_e(name)}</text>')
        for k, value in enumerate(values):
            v = 0.0 if _missing(value) else value
            y = y0 + k * bar_h
            out.append(f'<rect x="{label_w}" y="{y}" width="{v * scale:.1f}" height="{bar_h - 2}" fill="{colors[k]}"/>'
                       f'<text x="{label_w + v * scale + 4:.1f}" y="{y + bar_h - 4}">{_pct(value)}</text>')
    out.append("</svg>")
    return "".join(out)


def _heatmap_svg(by_size: pd.DataFrame) -> str:
    buckets = [b for b in by_size.index if b != "all"]
    cell_w, cell_h, label_w = 92, 30, 280
    width, height = label_w + cell_w * len(buckets) + 10, 50 + cell_h * len(LABELS)
    out = [_svg_open(width, height)]
    for j, bucket in enumerate(buckets):
        x = label_w + j * cell_w + cell_w / 2
        out.append(f'<text x="{x}" y="16" text-anchor="middle" font-weight="bold">{_e(bucket)}</text>'
                   f'<text x="{x}" y="32" text-anchor="middle" fill="#555">n={int(by_size.loc[bucket, "n"])}</text>')
    peak = max(0.01, float(np.nanmax(by_size.loc[buckets, list(LABELS)].to_numpy(dtype=float))) if buckets else 0.01)
    for i, label in enumerate(LABELS):
        y = 40 + i * cell_h
        out.append(f'<text x="{label_w - 8}" y="{y + cell_h / 2 + 4}" text-anchor="end">{_e(_name(label))}</text>')
        for j, bucket in enumerate(buckets):
            value = by_size.loc[bucket, label]
            shade = 0 if _missing(value) else value / peak
            fill = f"rgba(200,60,40,{0.08 + 0.85 * shade:.2f})" if shade else "#f3f3f3"
            ink = "#fff" if shade > 0.6 else "#222"
            out.append(f'<rect x="{label_w + j * cell_w}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{fill}"/>'
                       f'<text x="{label_w + j * cell_w + cell_w / 2}" y="{y + cell_h / 2 + 4}" text-anchor="middle" fill="{ink}">{_pct(value)}</text>')
    out.append("</svg>")
    return "".join(out)


def _score_svg(by_size: pd.DataFrame) -> str:
    buckets = [b for b in by_size.index if b != "all"]
    width, height, base, bar_w = 90 * len(buckets) + 60, 240, 200, 46
    out = [_svg_open(width, height)]
    out.append(f'<line x1="40" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#999"/>')
    for j, bucket in enumerate(buckets):
        x = 50 + j * 90
        value = by_size.loc[bucket, "dissatisfied_mean_score"]
        h = 0 if _missing(value) else value / 10 * 170
        color = "#c0392b" if bucket in HEAVYWEIGHTS else "#7f8c8d"
        out.append(f'<rect x="{x}" y="{base - h:.1f}" width="{bar_w}" height="{h:.1f}" fill="{color}"/>'
                   f'<text x="{x + bar_w / 2}" y="{base - h - 4:.1f}" text-anchor="middle">{_num(value)}</text>'
                   f'<text x="{x + bar_w / 2}" y="{base + 16}" text-anchor="middle">{_e(bucket)}</text>')
        if bucket in STUDY_DISSATISFIED_MEAN:
            ref = base - STUDY_DISSATISFIED_MEAN[bucket] / 10 * 170
            out.append(f'<line x1="{x - 4}" y1="{ref:.1f}" x2="{x + bar_w + 4}" y2="{ref:.1f}" stroke="#222" stroke-dasharray="4 3"/>'
                       f'<text x="{x + bar_w / 2}" y="{base + 32}" text-anchor="middle" fill="#555">study {STUDY_DISSATISFIED_MEAN[bucket]}</text>')
    out.append("</svg>")
    return "".join(out)


# --- renderers -------------------------------------------------------------------------------------
def _render_html(r: Report) -> str:
    h = r.headline
    by = r.by_size
    prev_rows = [(_name(label), [r.prevalence.loc[label, "all"], r.prevalence.loc[label, "dissatisfied"]]) for label in LABELS]
    size_rows = "".join(
        f"<tr><td>{_e(b)}</td><td>{int(by.loc[b, 'n'])}{' ⚠' if by.loc[b, 'small_sample'] else ''}</td>"
        f"<td>{_pct(by.loc[b, 'complaint_share'])}</td>"
        + "".join(f"<td>{_pct(by.loc[b, lab])}</td>" for lab in LABELS)
        + f"<td>{_num(by.loc[b, 'mean_score'])}</td><td>{_pct(by.loc[b, 'dissatisfied_share'])}</td>"
          f"<td>{_num(by.loc[b, 'dissatisfied_mean_score'])}</td><td>{_pct(by.loc[b, 'intolerable_share'])}</td></tr>"
        for b in by.index)
    pains = "".join(
        f"<tr><td>{_e(b)}{' ★' if b in HEAVYWEIGHTS else ''}</td><td>{int(row['n'])}</td>"
        + "".join(f"<td>{_e(row.get(f'top{i}', ''))}</td>" for i in (1, 2, 3)) + "</tr>"
        for b, row in r.top_pains.iterrows())
    quotes = "".join(
        f"<h3>{_e(_name(label))}</h3><ul>"
        + ("".join(f"<li>“{_e(t)}” <span class=muted>p={p:.2f}</span></li>" for t, p in r.quotes[label]) or "<li class=muted>none</li>")
        + "</ul>" for label in LABELS)
    peak = r.terms[0][1] if r.terms else 1
    cloud = " ".join(f'<span style="font-size:{12 + 22 * c / peak:.0f}px" title="{c}">{_e(t)}</span>' for t, c in r.terms)
    head_cells = "".join(f"<th>{_e(lab)}</th>" for lab in LABELS)
    unreadable = f" {h['unreadable_scores']} unreadable score(s) left out." if h["unreadable_scores"] else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(r.title)}</title>
<style>
body{{font-family:{_FONT};margin:24px auto;max-width:1100px;color:#222;line-height:1.5;padding:0 16px}}
h1{{font-size:24px}} h2{{font-size:19px;border-bottom:2px solid #c0392b;padding-bottom:4px;margin-top:36px}} h3{{font-size:15px;margin-bottom:4px}}
table{{border-collapse:collapse;font-size:13px;margin:8px 0}} td,th{{border:1px solid #ddd;padding:4px 8px;text-align:right}}
td:first-child,th:first-child{{text-align:left}} .cards{{display:flex;gap:16px;flex-wrap:wrap}}
.card{{background:#faf3f2;border-radius:8px;padding:12px 20px;min-width:180px}} .card b{{font-size:28px;display:block;color:#c0392b}}
.muted{{color:#777;font-size:12px}} .cloud span{{margin:0 8px;display:inline-block;color:#8e2a1f}}
</style></head><body>
<h1>{_e(r.title)}</h1>
<p class=muted>Source: {_e(r.source)} · generated {datetime.now():%Y-%m-%d %H:%M} · text column “{_e(r.text_col)}”, size column “{_e(r.size_col or '—')}”, score column “{_e(r.score_col or '—')}” · {_e('; '.join(r.notes))}</p>
<h2>1 · Headline 总体</h2>
<div class=cards>
<div class=card><b>{h['responses']}</b>responses 反馈数</div>
<div class=card><b>{_pct(h['dissatisfied_share'])}</b>dissatisfied 不满意 (score ≤ {r.thresholds[0]:g})</div>
<div class=card><b>{_pct(h['intolerable_share'])}</b>intolerable 无法忍受 (score ≤ {r.thresholds[1]:g})</div>
<div class=card><b>{_pct(h['complaint_share'])}</b>with any complaint 有投诉</div>
</div>
<p class=muted>Shares are estimated as the {_e(METHOD_TEXT.get(r.method, r.method))} (method “{_e(r.method)}”). Scores are out of 10.{unreadable}</p>
<h2>2 · Prevalence of the six complaints 六类问题的发生率</h2>
{_bars_svg(prev_rows, ["all respondents 全部", "dissatisfied 不满意用户"], ["#7f8c8d", "#c0392b"])}
<h2>3 · Complaints by company size 按企业规模</h2>
{_heatmap_svg(by)}
<table><tr><th>size 规模</th><th>n</th><th>any</th>{head_cells}<th>mean score</th><th>dissatisfied</th><th>dissatisfied mean</th><th>intolerable</th></tr>{size_rows}</table>
<p class=muted>⚠ fewer than {by.attrs.get('min_n', 30)} responses: read with care. 95% Wilson intervals are in the Excel and CSV outputs.</p>
<h2>4 · Dissatisfied respondents' mean score by size 不满意用户平均分</h2>
{_score_svg(by)}
<p class=muted>Dashed lines: the study's figures for the two heavyweight groups (51–200: 5.1, 2000+: 5.2).</p>
<h2>5 · Top pain points by size 各规模主要痛点</h2>
<table><tr><th>size</th><th>n</th><th>#1</th><th>#2</th><th>#3</th></tr>{pains}</table>
<p class=muted>★ the study's heavyweight groups, listed first.</p>
<h2>6 · Representative quotes 典型原话</h2>
{quotes}
<h2>7 · Impression map of dissatisfied feedback 不满意用户印象图</h2>
<div class=cloud>{cloud or '<span class=muted>no dissatisfied feedback with a score</span>'}</div>
</body></html>
"""


_COUNT_COLUMNS = frozenset({"n", "n_scored", "n_score_unreadable"})
_SCORE_COLUMNS = frozenset({"mean_score", "dissatisfied_mean_score", "study"})
_SHARE_COLUMNS = frozenset({*LABELS, "all", "dissatisfied"})


def _cell(column: str, value: Any) -> str:
    """One Markdown cell, formatted by what the column means (never by the value's range)."""
    if column in _COUNT_COLUMNS:
        return "–" if _missing(value) else str(int(value))
    if column in _SCORE_COLUMNS:
        return _num(value)
    if column in _SHARE_COLUMNS or column.endswith(("_share", "_low", "_high")):
        return _pct(value)
    return _num(value) if isinstance(value, float) else str(value)


def _markdown_table(frame: pd.DataFrame) -> str:
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join([frame.index.name or "", *cols]) + " |", "|" + "---|" * (len(cols) + 1)]
    for idx, *values in frame.itertuples(name=None):  # per column, so counts stay ints
        lines.append("| " + " | ".join([str(idx), *(_cell(c, v) for c, v in zip(cols, values))]) + " |")
    return "\n".join(lines)


def _size_table(r: Report) -> pd.DataFrame:
    cols = ["n", "complaint_share", *LABELS, "mean_score", "dissatisfied_share", "dissatisfied_mean_score", "intolerable_share"]
    return r.by_size[cols]


def _render_md(r: Report) -> str:
    h = r.headline
    parts = [f"# {r.title}", "", f"Source: {r.source} · shares: {METHOD_TEXT.get(r.method, r.method)} · {'; '.join(r.notes)}", "",
             "## 1 · Headline", "",
             f"- responses: **{h['responses']}**",
             f"- dissatisfied (score ≤ {r.thresholds[0]:g}): **{_pct(h['dissatisfied_share'])}**",
             f"- intolerable (score ≤ {r.thresholds[1]:g}): **{_pct(h['intolerable_share'])}**",
             f"- with any complaint: **{_pct(h['complaint_share'])}**",
             *([f"- unreadable scores (left out): **{h['unreadable_scores']}**"] if h["unreadable_scores"] else []), "",
             "## 2 · Prevalence of the six complaints", "", _markdown_table(r.prevalence), "",
             "## 3 · Complaints by company size", "", _markdown_table(_size_table(r)), "",
             "## 4 · Dissatisfied respondents' mean score by size", "",
             _markdown_table(r.by_size[["n", "dissatisfied_mean_score"]].assign(
                 study=[STUDY_DISSATISFIED_MEAN.get(b, math.nan) for b in r.by_size.index])), "",
             "## 5 · Top pain points by size (heavyweights first)", "",
             _markdown_table(r.top_pains) if len(r.top_pains) else "(no rows)", "",
             "## 6 · Representative quotes", ""]
    for label in LABELS:
        parts.append(f"### {_name(label)}")
        parts += [f"- “{t}” (p={p:.2f})" for t, p in r.quotes[label]] or ["- none"]
        parts.append("")
    parts += ["## 7 · Impression map of dissatisfied feedback", "", " · ".join(f"{t} ({c})" for t, c in r.terms) or "(none)", ""]
    return "\n".join(parts)


def render(report: Report, path: str | os.PathLike[str]) -> None:
    """Write ``report`` to ``path`` in the format its extension names (atomically)."""
    path = Path(path)
    fmt = path.suffix.lower()
    if fmt not in REPORT_FORMATS:
        raise InputError(f"{path}: unsupported report type {fmt or '(none)'!r}; expected one of {', '.join(REPORT_FORMATS)}")
    if not path.parent.exists():
        raise InputError(f"{path}: folder {path.parent} does not exist")
    with atomic_path(path) as tmp:
        if fmt == ".html":
            tmp.write_text(_render_html(report), encoding="utf-8")
        elif fmt == ".md":
            tmp.write_text(_render_md(report), encoding="utf-8")
        elif fmt == ".csv":
            report.by_size.to_csv(tmp, encoding="utf-8-sig")
        else:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                pd.DataFrame([report.headline]).to_excel(xw, sheet_name="headline", index=False)
                report.prevalence.to_excel(xw, sheet_name="prevalence")
                report.by_size.to_excel(xw, sheet_name="by_size")
                report.top_pains.to_excel(xw, sheet_name="top_pains")
                pd.DataFrame([(lab, t, p) for lab, qs in report.quotes.items() for t, p in qs],
                             columns=["label", "quote", "probability"]).to_excel(xw, sheet_name="quotes", index=False)
                pd.DataFrame(report.terms, columns=["term", "responses"]).to_excel(xw, sheet_name="terms", index=False)


def write_report(input: str | os.PathLike[str], output: str | os.PathLike[str], *, force: bool = False,
                 sheet: str | None = None, encoding: str | None = None, **options: Any) -> Report:
    """Read ``input``, build the report and write it to ``output``; returns the report.

    Refuses (``InputError``) an ``output`` that is ``input`` itself, through a symlink or a hard
    link included, even with ``force``.
    """
    from .io import read_table

    out = Path(output)
    if out.exists() and Path(input).exists() and os.path.samefile(input, out):
        raise InputError(f"{out}: the report would overwrite the input {input} (the same file); choose another output name")
    if out.is_dir():
        raise InputError(f"{out}: is a folder; name a report file inside it")
    if out.exists() and not force:
        raise OutputExistsError(f"{out} exists; pass --force to overwrite it")
    if out.suffix.lower() not in REPORT_FORMATS:
        raise InputError(f"{out}: unsupported report type {out.suffix or '(none)'!r}; expected one of {', '.join(REPORT_FORMATS)}")
    table = read_table(input, sheet=sheet, encoding=encoding)
    report = build_report(table.frame, source=str(input), **options)
    render(report, out)
    return report
