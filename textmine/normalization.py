"""Prepare raw feedback for analysis without changing what users see.

``normalize`` is applied to a *copy* of the text before tokenising and featurising; outputs of
textmine always carry the original text. Steps, in order:

1. ``None``/NaN/non-strings become ``""`` (non-strings other than NaN are ``str()``-ed);
2. control characters, lone surrogates and zero-width characters are dropped;
3. Unicode NFKC: full-width letters, digits and punctuation become half-width
   (``ＡＢＣ１２３，`` → ``ABC123,``), compatibility forms are unified;
4. Traditional → Simplified Chinese with OpenCC's ``t2s`` tables (character and phrase level);
5. runs of whitespace collapse to a single space; leading/trailing space is stripped.

Emoji, English words and case are kept (English is lower-cased only by the feature extractor).
The function is deterministic, idempotent and never raises on a ``str``.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from typing import Any

__all__ = ["normalize", "to_traditional", "to_fullwidth"]

_WHITESPACE = re.compile(r"\s+")
_DOUBLE_SPACE = re.compile(r"\s\s|[^\S ]")  # two spaces in a row, or whitespace other than " "
# Zero-width and format characters that only hide duplicates (keeps ZWJ for emoji sequences).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200e\u200f\u2060\ufeff\u00ad"), None)

_converters: dict[str, Any] = {}
_converter_lock = threading.Lock()


def _converter(config: str) -> Any:
    """An OpenCC converter, built once per process (OpenCC objects are thread-safe to use)."""
    conv = _converters.get(config)
    if conv is None:
        with _converter_lock:
            conv = _converters.get(config)
            if conv is None:
                import opencc  # local import: keeps ``import textmine`` fast

                conv = opencc.OpenCC(config)
                _converters[config] = conv
    return conv


_SPACE_CONTROLS = re.compile("[\t\n\r\x0b\x0c\x85]")
# other C0/C1 controls and lone surrogates (which cannot be encoded) are dropped
_DROPPED = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")


def _strip_controls(text: str) -> str:
    return _DROPPED.sub("", _SPACE_CONTROLS.sub(" ", text))


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:  # pandas.NA, numpy.nan and friends without importing pandas here
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def normalize(text: Any) -> str:
    """Return the analysis form of ``text``: NFKC, Simplified, clean whitespace.

    >>> normalize("  客服電話ＡＢＣ，１２３  ")
    '客服电话ABC,123'
    >>> normalize(None)
    ''
    """
    if not isinstance(text, str):
        if _is_missing(text):
            return ""
        text = str(text)
    if not text:
        return ""
    # One pass nearly always suffices; a conversion can (rarely) expose a character another
    # step changes, so repeat while the cheap checks say the result is not yet a fixed point.
    for _ in range(3):
        cleaned = _strip_controls(text).translate(_INVISIBLE)
        cleaned = unicodedata.normalize("NFKC", cleaned)
        if not cleaned.isascii():
            cleaned = _converter("t2s").convert(cleaned)
        cleaned = _WHITESPACE.sub(" ", cleaned).strip()
        if cleaned == text or _is_fixed_point(cleaned):
            return cleaned
        text = cleaned
    return text


def _is_fixed_point(text: str) -> bool:
    """True when another pass could not change ``text`` (OpenCC t2s is idempotent)."""
    return (
        unicodedata.is_normalized("NFKC", text)
        and not _DROPPED.search(text)
        and not _SPACE_CONTROLS.search(text)
        and text == text.translate(_INVISIBLE)
        and not _DOUBLE_SPACE.search(text)
        and text == text.strip()
    )


def to_simplified(text: str) -> str:
    """Traditional → Simplified (OpenCC ``t2s``) and nothing else (``normalize`` does more)."""
    return _converter("t2s").convert(text) if text else text


def to_traditional(text: str) -> str:
    """Simplified → Traditional (OpenCC ``s2t``); used by robustness checks and benchmarks."""
    return _converter("s2t").convert(text) if text else text


def to_fullwidth(text: str) -> str:
    """ASCII letters, digits and punctuation → their full-width forms (robustness checks)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
