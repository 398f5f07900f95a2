"""Why a text got its labels: the phrases whose removal lowers each label's log-odds most.

A phrase is one to three tokens of one clause (clauses end at ，。！？；,.!?; and line breaks) and
is returned exactly as written in the input, Traditional characters and full-width forms
included. Its weight is the drop in the label's log-odds when the phrase is blanked out of its
context: the whole text when that is short, else a window of neighbouring clauses. Log-odds,
unlike probabilities, still move when a confident label has several pieces of evidence.

Work grows about linearly with the text: a long text is first scored clause by clause, and only
the clauses that speak most for a predicted label are searched for phrases, within a fixed budget
of scored variants, in batches of bounded size.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .normalization import _INVISIBLE, _converter, _is_missing, _strip_controls
from .taxonomy import LABELS

if TYPE_CHECKING:
    from .model import ComplaintClassifier

__all__ = ["explain_text"]

_MAX_SPAN = 3  # tokens per phrase
_CONTEXT_CHARS = 120  # a text this short is its own context; longer ones use clause windows this long
_CLAUSE_CHARS = 60  # longer clauses are cut, at token boundaries, into parts of at most this length
_CLAUSES_PER_LABEL = 6  # in a long text: clauses searched per predicted label (at least ``top``)
_MAX_ROWS = 3000  # occlusion variants scored per text, at most
_BATCH = 256  # texts per ``predict_proba`` call: bounds memory
_MIN_DROP = 0.1  # log-odds drop below which a phrase is not evidence (the strongest one is kept)
_MIN_SHARE = 0.25  # nor is one that weighs under this share of the strongest: fragments, not reasons
_EPS = 1e-15  # probabilities are clipped to [eps, 1 - eps] before taking log-odds
_BLANK = "\u2b1c"  # stands in for a context left without content: a pictograph, so no features
_PARTICLES = frozenset("了的地得着过吗呢吧啊呀嘛啦哦呗")  # not the first or last token of a phrase
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")
# clause ends after NFKC (，→,  ！→!  ？→?  ；→;  ．→.  ～→~  …→...  ｡→。)
_CLAUSE_ENDS = frozenset(",.!?;。~⋯")


class _Clause(NamedTuple):
    start: int  # offsets in the aligned (normalised) text
    end: int
    tokens: list[tuple[int, int, bool]]  # (start, end, is_content), aligned-text offsets


def explain_text(clf: ComplaintClassifier, text: Any, top: int = 5) -> dict[str, list[tuple[str, float]]]:
    """For each label ``clf`` predicts for ``text``, up to ``top`` phrases of ``text`` (as
    written) with their log-odds drop, strongest first."""
    if not isinstance(text, str):
        if _is_missing(text):
            return {}
        text = str(text)
    base = clf.predict_proba([text]).to_numpy()[0]
    predicted = [j for j in range(len(LABELS)) if base[j] >= clf.thresholds_[j]]
    if not predicted:
        return {}
    clean, origin, ends = _aligned(text)
    clauses = _clauses(clf.features_.tokenizer_, clean, ends)
    # which clauses to search, most telling first, and the context each is scored in
    if len(clean) <= _CONTEXT_CHARS:
        order = _distinct(clean, clauses, range(len(clauses)))
        contexts = {c: (0, len(clean)) for c in order}
    else:
        order = _telling(clf, clean, clauses, predicted, max(top, _CLAUSES_PER_LABEL))
        contexts = {c: _window(clauses, c) for c in order}
    texts: dict[str, int] = {}
    rows: list[tuple[int, int, int, int]] = []  # (phrase start, end, context row, variant row)
    for c in order:
        a0, b0 = contexts[c]
        context = clean[a0:b0]
        base_row = texts.setdefault(context, len(texts))
        for a, b in _phrases(clean, clauses[c]):
            if len(rows) >= _MAX_ROWS:
                break
            variant = clean[a0:a] + " " + clean[b:b0]
            if not _is_content(variant):
                variant = _BLANK
            rows.append((a, b, base_row, texts.setdefault(variant, len(texts))))
    if not rows:
        return {LABELS[j]: [] for j in predicted}
    logits = _logits(clf, list(texts))
    spans = np.array(rows)
    drops = logits[spans[:, 2]] - logits[spans[:, 3]]
    alone: np.ndarray | None = None
    result: dict[str, list[tuple[str, float]]] = {}
    for j in predicted:
        chosen = _choose(clean, rows, drops[:, j], top)
        if not chosen and top > 0:
            # no removal lowers the label (saturated at 1 in floating point): weigh each phrase
            # by how far it lifts the label, on its own, above a text without content
            if alone is None:
                index = {_BLANK: 0}
                which = [index.setdefault(clean[a:b], len(index)) for a, b, _, _ in rows]
                scored = _logits(clf, list(index))
                alone = scored[which] - scored[0]
            chosen = _choose(clean, rows, alone[:, j], top)
        result[LABELS[j]] = [(text[origin[a] : origin[b - 1] + 1], max(round(w, 4), 1e-4)) for a, b, w in chosen]
    return result


@functools.lru_cache(maxsize=8192)
def _char_form(ch: str) -> str:
    """What ``normalize`` makes of one character before Traditional → Simplified."""
    return unicodedata.normalize("NFKC", _strip_controls(ch).translate(_INVISIBLE))


@functools.lru_cache(maxsize=8192)
def _t2s_char(ch: str) -> str:
    converted = _converter("t2s").convert(ch)
    return converted if len(converted) == 1 else ch


def _aligned(text: str) -> tuple[str, list[int], list[bool]]:
    """The normalised text (``normalize(text)`` in all but rare cases), each of its characters'
    index in ``text``, and whether the character ends a clause.

    Normalising character by character keeps the offsets; Traditional → Simplified runs on the
    whole text when that keeps its length (OpenCC's phrase tables nearly always do), else
    character by character.
    """
    chars: list[str] = []
    origin: list[int] = []
    ends: list[bool] = []
    for i, ch in enumerate(text):
        form = _char_form(ch)
        line_break = ch in _LINE_BREAKS
        for c in form:
            chars.append(c)
            origin.append(i)
            ends.append(line_break or c in _CLAUSE_ENDS)
    joined = "".join(chars)
    if not joined.isascii():
        simplified = _converter("t2s").convert(joined)
        chars = list(simplified) if len(simplified) == len(joined) else [_t2s_char(c) for c in chars]
    out: list[str] = []
    out_origin: list[int] = []
    out_ends: list[bool] = []
    for c, i, end in zip(chars, origin, ends):
        if c.isspace():
            if not out:
                continue  # leading space
            if out[-1] == " ":
                out_ends[-1] = out_ends[-1] or end  # a run of spaces holding a line break ends a clause
                continue
            c = " "
        out.append(c)
        out_origin.append(i)
        out_ends.append(end)
    if out and out[-1] == " ":
        del out[-1], out_origin[-1], out_ends[-1]
    return "".join(out), out_origin, out_ends


def _is_content(token: str) -> bool:
    """Letters or digits of any script (Chinese included); not punctuation, emoji or spaces."""
    return any(ch.isalnum() for ch in token)


def _tokens(tokenizer: Any, text: str, offset: int) -> list[tuple[int, int, bool]]:
    """``(start, end, is_content)`` of the tokens of ``text``; tokens longer than a clause part
    are cut. ``[]`` when the tokens do not tile ``text``."""
    if len(text.lower()) != len(text):  # e.g. "İ": keep offsets exact
        text = "".join(c if len(c.lower()) == 1 else "_" for c in text)
    out: list[tuple[int, int, bool]] = []
    pos = 0
    for token in tokenizer.raw_tokens(text):
        content = _is_content(token)
        for start in range(0, len(token), _CLAUSE_CHARS):
            piece = min(len(token) - start, _CLAUSE_CHARS)
            out.append((offset + pos + start, offset + pos + start + piece, content))
        pos += len(token)
    return out if pos == len(text) else []


def _clauses(tokenizer: Any, text: str, ends: list[bool]) -> list[_Clause]:
    """Clauses of the aligned ``text`` that hold content, long ones cut into parts."""
    clauses: list[_Clause] = []
    start = 0
    for k in [k for k, end in enumerate(ends) if end] + [len(text)]:
        part = text[start:k]
        stripped = part.strip()
        if stripped and _is_content(stripped):
            begin = start + part.index(stripped)
            tokens = _tokens(tokenizer, stripped, begin)
            while tokens:
                n = 1
                while n < len(tokens) and tokens[n][1] - tokens[0][0] <= _CLAUSE_CHARS:
                    n += 1
                chunk, tokens = tokens[:n], tokens[n:]
                if any(content for _, _, content in chunk):
                    clauses.append(_Clause(chunk[0][0], chunk[-1][1], chunk))
        start = k + 1
    return clauses


def _phrases(clean: str, clause: _Clause) -> list[tuple[int, int]]:
    """Spans of one to ``_MAX_SPAN`` content tokens not separated by punctuation or emoji, and
    neither starting nor ending with a particle."""
    spans: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []
    for start, end, content in [*clause.tokens, (0, 0, False)]:
        if content:
            run.append((start, end))
        elif end == start or not clean[start:end].isspace():  # spaces may separate words
            for n in range(1, _MAX_SPAN + 1):
                spans += [
                    (run[i][0], run[i + n - 1][1])
                    for i in range(len(run) - n + 1)
                    if clean[slice(*run[i])] not in _PARTICLES and clean[slice(*run[i + n - 1])] not in _PARTICLES
                ]
            run = []
    return spans


def _logits(clf: ComplaintClassifier, texts: list[str]) -> np.ndarray:
    """Log-odds of every label for ``texts``, scored ``_BATCH`` texts at a time."""
    out = np.empty((len(texts), len(LABELS)))
    for k in range(0, len(texts), _BATCH):
        proba = np.clip(clf.predict_proba(texts[k : k + _BATCH]).to_numpy(), _EPS, 1 - _EPS)
        out[k : k + _BATCH] = np.log(proba) - np.log1p(-proba)
    return out


def _choose(clean: str, rows: list[tuple[int, int, int, int]], weights: np.ndarray, top: int) -> list[tuple[int, int, float]]:
    """Up to ``top`` ``(start, end, weight)`` of the heaviest phrases, skipping any that overlaps
    a heavier one or repeats it (or a part of it) elsewhere."""
    chosen: list[tuple[int, int, float]] = []
    seen: list[str] = []
    for k in np.argsort(-weights, kind="stable"):
        a, b = rows[k][:2]
        weight = float(weights[k])
        if len(chosen) >= top or weight <= 0 or (chosen and weight < max(_MIN_DROP, _MIN_SHARE * chosen[0][2])):
            break
        phrase = clean[a:b].lower()
        if any(a < e and s < b for s, e, _ in chosen) or any(phrase in p for p in seen):
            continue
        chosen.append((a, b, weight))
        seen.append(phrase)
    return chosen


def _distinct(clean: str, clauses: list[_Clause], candidates: Any) -> list[int]:
    """``candidates`` (clause indices) without repeats of an earlier clause's text."""
    seen: set[str] = set()
    out = []
    for c in candidates:
        key = clean[clauses[c].start : clauses[c].end]
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _telling(
    clf: ComplaintClassifier, clean: str, clauses: list[_Clause], predicted: list[int], per_label: int
) -> list[int]:
    """Indices of the clauses that, scored alone, speak most for each predicted label: the
    labels' best clauses first, then their second best, and so on."""
    distinct = _distinct(clean, clauses, range(len(clauses)))
    logits = _logits(clf, [clean[clauses[c].start : clauses[c].end] for c in distinct])
    ranked = [np.argsort(-logits[:, j], kind="stable")[:per_label] for j in predicted]
    order: list[int] = []
    for rank in range(per_label):
        for best in ranked:
            if rank < len(best) and distinct[best[rank]] not in order:
                order.append(distinct[best[rank]])
    return order


def _window(clauses: list[_Clause], c: int) -> tuple[int, int]:
    """Aligned-text span of clause ``c`` and its neighbours, at most ``_CONTEXT_CHARS`` long
    (or clause ``c`` alone)."""
    lo = hi = c
    grew = True
    while grew:
        grew = False
        if lo > 0 and clauses[hi].end - clauses[lo - 1].start <= _CONTEXT_CHARS:
            lo -= 1
            grew = True
        if hi + 1 < len(clauses) and clauses[hi + 1].end - clauses[lo].start <= _CONTEXT_CHARS:
            hi += 1
            grew = True
    return clauses[lo].start, clauses[hi].end
