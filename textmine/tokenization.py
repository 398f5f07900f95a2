"""Domain tokeniser: jieba with after-sales vocabulary, negation kept as features.

textmine never touches jieba's global tokenizer (``jieba.dt``): every ``DomainTokenizer`` owns a
private ``jieba.Tokenizer`` that it builds on first use, under a lock, from jieba's bundled
dictionary plus ``data/domain_dict.txt`` and any user dictionary. Built tokenizers are cached per
process and per dictionary set, and dropped when pickling (they hold a lock).

Negation rule
-------------
A negator (不, 没, 没有, 未, 无, 别, 并不, 从不, 根本不, 一点也不 …) is fused with the word it
negates, skipping degree adverbs in between (太, 很, 怎么, 那么, 够 …)::

    不慢 → "不慢"      不太专业 → "不专业"      一点也不专业 → "一点", "不专业"
    没人回 → "没人回"   没有及时回复 → "没及时", "回复"

The fused token starts with the negator's canonical form (``不``, ``没`` or ``没人``), so "没有"
and "没" yield the same feature. The negated word is *replaced* by the fused token: "不慢"
never contributes the feature "慢". Degree adverbs outside a negation stay separate tokens.
Punctuation and whitespace are dropped; Latin letters are lower-cased; emoji are kept.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import re
import threading
import unicodedata
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from .normalization import normalize

__all__ = ["DomainTokenizer", "tokenize", "apply_negation", "content_tokens", "is_content", "NEGATORS", "DEGREE_WORDS"]

logger = logging.getLogger(__name__)

#: Surface negator → canonical prefix of the fused token.
NEGATORS: dict[str, str] = {
    **dict.fromkeys(
        ["不", "不是", "并不", "不太", "不怎么", "不那么", "不够", "不是很", "不大", "不很", "从不", "毫不", "决不", "绝不", "根本不", "也不", "都不",
         "一点也不", "一点都不", "并非", "非", "别", "不用", "不必", "不会", "不能"],
        "不",
    ),
    **dict.fromkeys(
        ["没", "没有", "未", "未曾", "从没", "从未", "从来没", "从来没有", "根本没", "根本没有",
         "并没有", "并没", "还没", "还没有", "都没", "都没有", "也没", "也没有",
         "没那么", "没怎么", "没太"],
        "没",
    ),
    **dict.fromkeys(["没人", "没有人", "无人"], "没人"),
}

#: Degree adverbs skipped between a negator and its target ("不太慢" → "不慢").
DEGREE_WORDS: frozenset[str] = frozenset(
    "太 很 怎么 那么 这么 够 算 大 特别 十分 非常 是很 多么 咋 怎样 再 及时地 有".split()
)

_MAX_SKIP = 2
# jieba's dictionary holds some negated phrases as one word ("不太慢"): drop the degree part.
_FUSED_DEGREE = re.compile(r"^(不|没)(太|很|怎么|那么|这么|大|够|是很)(.+)$")
# first characters of every negator and of every 不/没-fused word: a cheap pre-check
_NEGATION_HEADS = frozenset(word[0] for word in NEGATORS) | {"不", "没"}
_DEGREE_PREFIX = re.compile(r"^(?:太|很|怎么|那么|这么)(?=.)")

_build_lock = threading.Lock()
_built: dict[tuple[str, ...], Any] = {}


def _read_word_file(path: str | os.PathLike[str]) -> list[tuple[str, int | None, str | None]]:
    """Parse ``word [freq] [pos]`` lines; ``#`` starts a comment. Errors name file and line."""
    from .errors import InputError

    entries: list[tuple[str, int | None, str | None]] = []
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read user dictionary {path}: {exc}") from exc
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        freq: int | None = None
        pos: str | None = None
        if len(parts) >= 2:
            if not parts[1].isdigit():
                raise InputError(
                    f"{path}, line {lineno}: expected 'word [freq] [pos]', found {raw!r}"
                )
            freq = int(parts[1])
        if len(parts) >= 3:
            pos = parts[2]
        entries.append((parts[0], freq, pos))
    return entries


def _domain_entries() -> list[tuple[str, int | None, str | None]]:
    source = resources.files("textmine").joinpath("data/domain_dict.txt")
    with resources.as_file(source) as path:
        return _read_word_file(path)


def _build_jieba(user_entries: tuple[tuple[str, int | None, str | None], ...]) -> Any:
    """A fresh, initialised private ``jieba.Tokenizer`` (no cache file, no log lines)."""
    import jieba

    tk = jieba.Tokenizer()
    # Load the bundled dictionary directly instead of ``initialize()``: same result, but no
    # temp-file cache and no DEBUG lines through jieba's logger.
    with tk.get_dict_file() as dict_file:
        tk.FREQ, tk.total = tk.gen_pfdict(dict_file)
    tk.initialized = True
    for word, freq, pos in _domain_entries() + list(user_entries):
        word = word.lower()
        if freq is None or freq <= 0:
            # the frequency that makes jieba keep the word whole (never 0: that would
            # register a forced split in jieba's module-global HMM state)
            freq = max(1, tk.suggest_freq(word, False))
        tk.add_word(word, freq, pos)
    return tk


class DomainTokenizer:
    """Callable tokenizer for already-normalised text; picklable; safe to share between threads.

    ``user_words`` adds customers' own product names: a path to a word file (``word [freq]
    [pos]`` a line) or an iterable of words.

    >>> DomainTokenizer(user_words=["小蜜蜂OA"])("小蜜蜂oa客服不太专业")
    ['小蜜蜂oa', '客服', '不专业']
    """

    def __init__(
        self,
        user_words: str | os.PathLike[str] | Iterable[str] | None = None,
        *,
        hmm: bool = True,
    ) -> None:
        self.user_words = user_words
        self.hmm = hmm
        self._entries = self._user_entries(user_words)
        self._jieba: Any = None

    @staticmethod
    def _user_entries(
        user_words: str | os.PathLike[str] | Iterable[str] | None,
    ) -> tuple[tuple[str, int | None, str | None], ...]:
        if user_words is None:
            return ()
        if isinstance(user_words, (str, os.PathLike)):
            return tuple(_read_word_file(user_words))
        return tuple((str(w).strip(), None, None) for w in user_words if str(w).strip())

    # -- lazy, thread-safe construction ------------------------------------------------------
    def _tokenizer(self) -> Any:
        tk = self._jieba
        if tk is None:
            with _build_lock:
                tk = _built.get(self._entries)
                if tk is None:
                    logger.debug("building domain tokenizer (%d user words)", len(self._entries))
                    tk = _build_jieba(self._entries)
                    _built[self._entries] = tk
            self._jieba = tk
        return tk

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_jieba"] = None  # holds a lock; rebuilt (or taken from the cache) on first use
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return f"DomainTokenizer(user_words={len(self._entries)} words, hmm={self.hmm})"

    # -- tokenising -----------------------------------------------------------------------------
    def __call__(self, text: str) -> list[str]:
        """Tokens of an already-normalised ``text`` (see ``textmine.normalize``)."""
        return content_tokens(self.raw_tokens(text))

    def raw_tokens(self, text: str) -> list[str]:
        """jieba's tokens of lower-cased ``text``, punctuation and spaces included."""
        if not text:
            return []
        if self.hmm:
            return self._tokenizer().lcut(text.lower(), HMM=True)
        return _cut_without_hmm(self._tokenizer(), text.lower())


def _cut_without_hmm(tk: Any, text: str) -> list[str]:
    """``tk.lcut(text, HMM=False)``, token for token, at about twice jieba's speed.

    Same blocks, dictionary and route as jieba (the most probable path through the word graph,
    ties to the longer word; runs of single Latin letters and digits merged). jieba builds the
    whole graph and then scores it with a generator per character; here one backward pass does
    both. A test checks the output equals jieba's on the corpus and on random strings.
    """
    import jieba

    han, skip = jieba.re_han_default, jieba.re_skip_default
    freq, log_total = tk.FREQ, math.log(tk.total)
    out: list[str] = []
    for block in han.split(text):
        if not block:
            continue
        if han.match(block):
            out += _best_route(block, freq, log_total)
        else:
            for part in skip.split(block):
                if skip.match(part):
                    out.append(part)
                else:
                    out += part
    return out


_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _best_route(block: str, freq: dict[str, int], log_total: float) -> list[str]:
    """jieba's ``__cut_DAG_NO_HMM`` for one block of Han characters, letters and digits."""
    n = len(block)
    score = [0.0] * (n + 1)  # best log-probability of block[k:]
    end = [0] * (n + 1)  # last index of the first word on that best path
    for k in range(n - 1, -1, -1):
        best: float | None = None
        best_end = k
        i = k + 1
        fragment = block[k]
        while i <= n and fragment in freq:
            count = freq[fragment]
            if count:
                candidate = math.log(count) - log_total + score[i]
                if best is None or candidate >= best:  # ties: the longer word, as jieba's max()
                    best, best_end = candidate, i - 1
            i += 1
            fragment = block[k:i]
        if best is None:
            best = math.log(freq.get(block[k]) or 1) - log_total + score[k + 1]
        score[k], end[k] = best, best_end
    words: list[str] = []
    buffer = ""
    x = 0
    while x < n:
        y = end[x] + 1
        word = block[x:y]
        if y - x == 1 and word in _ALNUM:
            buffer += word
        else:
            if buffer:
                words.append(buffer)
                buffer = ""
            words.append(word)
        x = y
    if buffer:
        words.append(buffer)
    return words


@functools.lru_cache(maxsize=65536)
def is_content(token: str) -> bool:
    """False for punctuation, spaces and control tokens."""
    if not token or token.isspace():
        return False
    if len(token) == 1:
        cat = unicodedata.category(token)
        return not (cat.startswith("P") or cat.startswith("Z") or cat in ("Cc", "Cf", "Sk", "Mn"))
    return True


def content_tokens(raw: list[str]) -> list[str]:
    """Raw jieba tokens → the tokenizer's output: punctuation and spaces dropped, negation fused."""
    return apply_negation(list(filter(is_content, raw)))


def apply_negation(tokens: list[str]) -> list[str]:
    """Fuse negators with the word they negate (see module docs)."""
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok[:1] not in _NEGATION_HEADS:  # most tokens: neither a negator nor 不/没-fused
            out.append(tok)
            i += 1
            continue
        fused = _FUSED_DEGREE.match(tok)
        if fused and tok not in NEGATORS:
            out.append(fused.group(1) + fused.group(3))
            i += 1
            continue
        canon = NEGATORS.get(tok)
        if canon is None:
            out.append(tok)
            i += 1
            continue
        j = i + 1
        skipped = 0
        while j < n and tokens[j] in DEGREE_WORDS and skipped < _MAX_SKIP:
            j += 1
            skipped += 1
        if j < n and tokens[j] not in NEGATORS and not tokens[j].isascii():
            out.append(canon + _DEGREE_PREFIX.sub("", tokens[j]))
            i = j + 1
        else:
            out.append(tok)
            i += 1
    return out


_default: DomainTokenizer | None = None
_default_lock = threading.Lock()


def _default_tokenizer() -> DomainTokenizer:
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = DomainTokenizer()
    return _default


def tokenize(
    text: Any, user_words: str | os.PathLike[str] | Iterable[str] | None = None
) -> list[str]:
    """Normalise ``text`` and split it into domain tokens.

    >>> tokenize("客服電話一直佔線，企業微信裡的消息已讀不回")
    ['客服', '电话', '一直占线', '企业微信', '里', '的', '消息', '已读不回']
    """
    tk = _default_tokenizer() if user_words is None else DomainTokenizer(user_words)
    return tk(normalize(text))
