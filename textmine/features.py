"""Text → feature matrix: domain-word n-grams and character n-grams, TF-IDF weighted.

Long feedback mixes product talk with one service complaint, and a whole-text TF-IDF vector
dilutes that clause. ``TextFeatures.transform_pieces`` therefore also cuts a text longer than
``segment_min_chars`` into *pieces*: windows of ``segment_window`` clauses starting every
``segment_stride`` clauses (clauses end at 。！？；，… and line breaks). The model combines the
best piece's probability with the whole text's (see ``textmine.model._proba``). A short or
single-clause text is its own piece. Each text is tokenised and counted once.
"""

from __future__ import annotations

import copy
import functools
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from itertools import repeat
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize as normalize_rows

from .normalization import normalize
from .tokenization import DomainTokenizer, content_tokens, is_content

__all__ = ["TextFeatures", "WordNgrams", "CharNgrams", "CueCounter", "as_texts", "normalize_all"]

# Emoji and pictographs are kept in normalised text (reports show them) but not used as
# features: a 😂 appended to a complaint must not change its labels.
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0E\uFE0F\u200D]+")
_SEP = "\x00"  # never inside a term: normalisation drops control characters
# tokens that end a clause (jieba yields punctuation as separate tokens)
_CLAUSE_END = re.compile(r"^[。！？!?；;，,\n…~～]+$|^\.{2,}$")


@functools.lru_cache(maxsize=4096)
def _is_clause_end(token: str) -> bool:
    return _CLAUSE_END.match(token) is not None


def _clauses(raw: list[str]) -> list[list[str]]:
    """Raw tokens cut after each clause end; clauses without content are dropped."""
    clauses: list[list[str]] = [[]]
    for tok in raw:
        if _is_clause_end(tok):
            if clauses[-1]:
                clauses[-1].append(tok)
                clauses.append([])
        else:
            clauses[-1].append(tok)
    return [c for c in clauses if any(map(is_content, c))]


def as_texts(texts: Any) -> list[Any]:
    """Materialise ``texts`` (a list, tuple, generator, 1-D array, pandas Series, ...) as a list.

    Refuses, with a ``TypeError`` that says what to pass instead, inputs whose iteration would
    not give one text per row: a single str or bytes, a DataFrame or any 2-D array (select the
    text column), a dict (its keys) and a set (unordered).
    """
    if isinstance(texts, str):
        raise TypeError("expected an iterable of texts, got a single string; wrap it in a list")
    if isinstance(texts, (bytes, bytearray)):
        raise TypeError("expected an iterable of texts, got a single bytes object; "
                        "decode it (.decode('utf-8')) and wrap it in a list")
    ndim = getattr(texts, "ndim", 1)
    if ndim != 1:
        hint = ("select the text column, e.g. df['text']" if hasattr(texts, "columns")
                else "wrap it in a list" if ndim == 0
                else "pass a 1-D sequence, e.g. array[:, 0] for the text column")
        raise TypeError(f"expected a 1-D sequence of texts, got a {ndim}-D {type(texts).__name__}; {hint}")
    if isinstance(texts, Mapping):
        raise TypeError(f"expected an iterable of texts, got a {type(texts).__name__} (iterating it "
                        "gives its keys); pass list(d.values()) or the text column")
    if isinstance(texts, AbstractSet):
        raise TypeError(f"expected an ordered sequence of texts, got a {type(texts).__name__}; "
                        "outputs could not be matched to it, pass a list")
    if not isinstance(texts, Iterable):
        raise TypeError(f"expected an iterable of texts, got {type(texts).__name__}; wrap it in a list")
    if hasattr(texts, "tolist"):
        return list(texts.tolist())
    return list(texts)


def _text_value(value: Any, index: int | None = None) -> Any:
    """``value`` checked as one text: bytes are decoded as UTF-8; str, None/NaN and scalars
    (numbers, dates; ``normalize`` str()-s them) pass unchanged; ``pandas.NA`` becomes None.
    Containers (a list, tuple, array, dict, ...) raise ``TypeError`` and undecodable bytes
    ``ValueError``, naming ``index``.
    """
    if isinstance(value, str):
        return value
    pandas = sys.modules.get("pandas")  # no pandas.NA can exist unless pandas was imported
    if pandas is not None and value is pandas.NA:
        return None
    where = "text" if index is None else f"text {index}"
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"{where} is bytes that are not UTF-8 ({exc.reason} at byte {exc.start}); "
                             "decode it with its encoding, e.g. .decode('gb18030'), and pass a str") from None
    if isinstance(value, Iterable):
        raise TypeError(f"{where} is a {type(value).__name__}, not a string: {_shorten(value)}; "
                        "pass one string (or None) per text, e.g. a list of str or a DataFrame column")
    return value


def _shorten(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def normalize_all(texts: Iterable[Any]) -> list[str]:
    """``normalize`` of each text of ``texts`` (see ``as_texts`` and ``_text_value``)."""
    return [normalize(t if isinstance(t, str) else _text_value(t, i)) for i, t in enumerate(as_texts(texts))]


def _featurable(texts: Iterable[str]) -> list[str]:
    """Normalised texts without emoji (see ``_EMOJI``)."""
    return [_EMOJI.sub(" ", t).strip() if not t.isascii() else t for t in as_texts(texts)]


def _count(vectorizer: CountVectorizer, docs: list[Any]) -> sp.csr_matrix:
    """``vectorizer.transform(docs)`` as raw counts, with the same analyzer and vocabulary.

    scikit-learn counts feature by feature in Python. Here ``Counter`` counts each document in
    C and the vocabulary lookups run through ``map``; only the filtering of unknown features
    and the matrix assembly remain, vectorised over all documents at once.
    """
    analyze = vectorizer.analyzer if callable(vectorizer.analyzer) else vectorizer.build_analyzer()
    lookup = vectorizer.vocabulary_.get
    unknown = repeat(-1)
    ids: list[int] = []
    values: list[int] = []
    lengths: list[int] = []
    for doc in docs:
        counts = Counter(analyze(doc))
        ids += map(lookup, counts, unknown)
        values += counts.values()
        lengths.append(len(counts))
    columns = np.asarray(ids, dtype=np.int64)
    known = columns >= 0
    rows = np.repeat(np.arange(len(docs)), lengths)[known]
    indptr = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(docs)), out=indptr[1:])
    return sp.csr_matrix(
        (np.asarray(values, dtype=np.float32)[known], columns[known], indptr),
        shape=(len(docs), len(vectorizer.vocabulary_)),
    )


class CharNgrams:
    """Analyzer for texts: lower-cased character n-grams, built with slices in C.

    The same features as scikit-learn's ``analyzer="char"`` with ``lowercase=True`` (a test
    holds them equal), about twice as fast.
    """

    _SPACES = re.compile(r"\s\s+")

    def __init__(self, ngram_range: tuple[int, int] = (1, 3)) -> None:
        self.ngram_range = tuple(ngram_range)

    def __call__(self, text: str) -> list[str]:
        text = self._SPACES.sub(" ", text.lower())
        lo, hi = self.ngram_range
        size = len(text)
        out = list(text) if lo == 1 else []
        for n in range(max(lo, 2), min(hi, size) + 1):
            out += map(text.__getitem__, map(slice, range(size - n + 1), range(n, size + 1)))
        return out


class WordNgrams:
    """Analyzer for token lists: n-grams joined by a space (picklable, unlike a lambda)."""

    def __init__(self, ngram_range: tuple[int, int] = (1, 2)) -> None:
        self.ngram_range = tuple(ngram_range)

    def __call__(self, tokens: list[str]) -> list[str]:
        lo, hi = self.ngram_range
        out = list(tokens) if lo == 1 else []
        for n in range(max(lo, 2), hi + 1):
            out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return out


class CueCounter:
    """Six features: matches of each label's cue patterns (``data/cues.txt``)."""

    def __init__(self) -> None:
        from importlib import resources

        from .taxonomy import LABELS

        text = resources.files("textmine").joinpath("data/cues.txt").read_text(encoding="utf-8")
        patterns: dict[str, str] = {}
        for line in text.splitlines():
            if line.strip() and not line.startswith("#"):
                label, pattern = line.split("\t", 1)
                patterns[label] = pattern.strip()
        missing = set(LABELS) - set(patterns)
        if missing:
            raise ValueError(f"data/cues.txt has no patterns for {sorted(missing)}")
        self.patterns = [re.compile(patterns[label]) for label in LABELS]

    def __call__(self, texts: list[str]) -> np.ndarray:
        """Matches per label (uncapped; ``TextFeatures`` caps them at 3)."""
        out = np.zeros((len(texts), len(self.patterns)), dtype=np.float32)
        for i, text in enumerate(texts):
            for j, pattern in enumerate(self.patterns):
                out[i, j] = len(pattern.findall(text))
        return out


class TextFeatures(TransformerMixin, BaseEstimator):
    """Normalised texts → ``[word TF-IDF | char TF-IDF]`` sparse matrix."""

    def __init__(
        self,
        *,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (1, 3),
        min_df: int = 2,
        max_features: int | None = 200_000,
        user_words: Any = None,
        hmm: bool = False,
        segment_window: int = 2,
        segment_min_chars: int = 60,
        segment_stride: int = 1,
        cue_weight: float = 0.3,
    ) -> None:
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_features = max_features
        self.user_words = user_words
        self.hmm = hmm
        self.segment_window = segment_window
        self.segment_min_chars = segment_min_chars
        self.segment_stride = segment_stride
        self.cue_weight = cue_weight

    def _tfidf(self, **kwargs: Any) -> TfidfVectorizer:
        return TfidfVectorizer(
            min_df=self.min_df, max_features=self.max_features, sublinear_tf=True,
            dtype=np.float32, **kwargs,
        )

    def fit(self, X: Iterable[str], y: Any = None) -> TextFeatures:
        texts = _featurable(X)
        self.tokenizer_ = DomainTokenizer(user_words=self.user_words, hmm=self.hmm)
        self.word_ = self._tfidf(analyzer=WordNgrams(self.word_ngrams), lowercase=False)
        self.word_.fit([self.tokenizer_(t) for t in texts])
        self.char_ = self._tfidf(analyzer=CharNgrams(self.char_ngrams), lowercase=False)
        self.char_.fit(texts)
        self.cues_ = CueCounter() if self.cue_weight else None
        for vec in (self.word_, self.char_):
            vec.stop_words_ = None  # pruned terms only bloat the pickle
        return self

    # Vocabularies of a few hundred thousand n-grams dominate the pickle; stored as one string
    # they unpickle several times faster than as a dict (no per-entry int and tuple objects).
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for name in ("word_", "char_"):
            vec = state.get(name)
            if vec is not None and getattr(vec, "vocabulary_", None) is not None:
                slim = copy.copy(vec)
                terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
                state[f"{name}terms"] = _SEP.join(terms)
                slim.vocabulary_ = None
                state[name] = slim
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name in ("word_", "char_"):
            packed = state.pop(f"{name}terms", None)
            if packed is not None:
                terms = packed.split(_SEP)
                state[name].vocabulary_ = dict(zip(terms, range(len(terms))))
        self.__dict__.update(state)

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        texts = _featurable(X)
        return self._weigh(self._counts([self.tokenizer_(t) for t in texts], texts))

    def cue_columns(self) -> list[int]:
        """Column of each label's cue feature in ``transform``'s output (``LABELS`` order), or
        ``[]`` without cue features. The cues are the last block: ``[word | char | cues]``."""
        if self.cues_ is None:
            return []
        start = len(self.word_.vocabulary_) + len(self.char_.vocabulary_)
        return list(range(start, start + len(self.cues_.patterns)))

    def _counts(self, token_lists: list[list[str]], texts: list[str]) -> list[sp.csr_matrix]:
        """Raw counts per block: word n-grams, character n-grams and (if used) cues."""
        blocks = [_count(self.word_, token_lists), _count(self.char_, texts)]
        if self.cues_ is not None:
            blocks.append(sp.csr_matrix(self.cues_(texts)))
        return blocks

    def _weigh(self, blocks: list[sp.csr_matrix]) -> sp.csr_matrix:
        """Counts → the fitted TF-IDF weights (sublinear tf, idf, l2 per block), cues scaled."""
        out = []
        for vec, counts in zip((self.word_, self.char_), blocks[:2]):
            counts = counts.astype(np.float32)
            np.log(counts.data, out=counts.data)
            counts.data += 1
            out.append(normalize_rows(counts @ sp.diags(vec.idf_.astype(np.float32))))
        if len(blocks) > 2:
            cues = blocks[2].copy()
            cues.data = np.minimum(cues.data, 3) * self.cue_weight
            out.append(cues)
        return sp.hstack(out, format="csr")

    def _pieces(self, text: str, raw: list[str]) -> list[tuple[str, list[str]]]:
        """``(piece_text, piece_tokens)`` of one normalised text from its raw jieba tokens."""
        if self.segment_window and len(text) > self.segment_min_chars:
            clauses = _clauses(raw)
            if len(clauses) > 1:
                window = max(1, int(self.segment_window))
                stride = max(1, int(self.segment_stride or window))
                starts = list(range(0, max(1, len(clauses) - window + 1), stride))
                if starts[-1] + window < len(clauses):  # the last clauses always get a window
                    starts.append(len(clauses) - window)
                groups = [[t for c in clauses[i : i + window] for t in c] for i in starts]
                return [("".join(g), content_tokens(g)) for g in groups]
        return [(text, content_tokens(raw))]

    def transform_pieces(self, X: Iterable[str]) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        """Feature rows for every text's pieces and, for texts cut into several pieces, one
        more row for the whole text. Returns the matrix, each row's text index, and which rows
        are whole texts.

        Each text is tokenised and counted once: a split text's whole-text row is the sum of
        its (non-overlapping) pieces' counts, re-weighted, so it lacks only the few n-grams
        that span two pieces.
        """
        texts: list[str] = []
        tokens: list[list[str]] = []
        owner: list[int] = []
        for i, text in enumerate(_featurable(X)):
            for piece_text, piece_tokens in self._pieces(text, self.tokenizer_.raw_tokens(text)):
                texts.append(piece_text)
                tokens.append(piece_tokens)
                owner.append(i)
        owners = np.asarray(owner, dtype=np.int64)
        n_texts = int(owners.max()) + 1 if len(owners) else 0
        per_text = np.bincount(owners, minlength=n_texts)
        split = np.flatnonzero(per_text > 1)
        counts = self._counts(tokens, texts)
        if len(split):
            # rows of split texts summed into one row per split text
            rows = np.flatnonzero(per_text[owners] > 1)
            position = np.full(n_texts, -1)
            position[split] = np.arange(len(split))
            summer = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (position[owners[rows]], rows)),
                                   shape=(len(split), len(owners)))
            counts = [sp.vstack([block, (summer @ block).tocsr()], format="csr") for block in counts]
        matrix = self._weigh(counts)
        is_whole = np.concatenate([per_text[owners] == 1, np.ones(len(split), dtype=bool)])
        return matrix, np.concatenate([owners, split]), is_whole
