"""Read company sizes as customers write them and map them to the study's buckets.

``size_bucket`` understands Arabic and Chinese numerals (``150``, ``两千``, ``1.5万``, ``十几``),
ranges (``51-200``, ``51～200``, ``200到500``), open ends (``2000人以上``, ``2000+``,
``200人以下``, ``不到50人``), approximations (``约800人``, ``三十来个人``, ``150人左右``,
``五百余名员工``, ``两千多人``), ``上万人``/``几千人``, English (``500 employees``,
``over 2000``, ``2k``) and plain ints/floats.

Rules (documented in the README too):

* A value is read as an interval of employee counts. It maps to a bucket only if the whole
  interval lies inside that bucket; a range that straddles two buckets is ``"unknown"`` —
  never a guess. ``100-300人`` → ``unknown``; ``200人以下`` → ``unknown`` (it spans 1-50 and
  51-200); ``50人以下`` → ``1-50``.
* Customers copy survey bands with shared endpoints, so a range or open end whose *low* end is
  a bucket's upper bound starts just above it: ``200-500人`` → ``201-500``, ``2000人以上`` and
  ``2000+`` → ``2000+``, ``1000-2000`` → ``1001-2000``. A single number exactly on a bound
  belongs to the lower bucket (``200人`` → ``51-200``; ``2000人`` → ``1001-2000``).
* ``多``/``余``/``几`` widen by the place value of the last digit (``两千多`` = 2001–2999,
  ``十几`` = 11–19, ``150多`` = 151–159); ``约``/``左右``/``来``/``上下`` allow ±10 %.
* ``数``/``几`` are "several" (``数千`` = ``几千`` → ``2000+``; ``数百`` → ``unknown``);
  ``上千``/``过千``/``上百`` are open ends (≥ 1000, ≥ 100) and so ``unknown``.
* Every dash (``‐ ‒ – — ― − ﹣ －``) and ``〜`` separate a range like ``-``/``～``; a space, thin
  space or comma groups thousands (``10 000``, ``1,200``). Years and dates (``2018年``,
  ``成立10年``) and rankings (``500强``) are not head counts and are skipped.
* Words without a number (``中型企业``, ``很多人``), zero or negative counts (``-5``), booleans,
  NaN, ``None`` and anything unparseable give ``"unknown"``. Nothing ever raises.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .taxonomy import BUCKET_RANGES, SIZE_BUCKETS, UNKNOWN_SIZE

__all__ = ["size_bucket", "parse_size", "SizeReading"]

logger = logging.getLogger(__name__)

_INF = math.inf
_BOUNDS = {hi for _lo, hi in BUCKET_RANGES.values() if hi is not None}


@dataclass(frozen=True)
class SizeReading:
    """How a size value was read: the interval of employees, the bucket, and why."""

    low: float
    high: float
    bucket: str
    reason: str


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
_NUM_CHARS = "0-9.零〇一二两俩三四五六七八九十百千万亿几"
# A number: Arabic (with an optional Chinese/English multiplier) or Chinese numerals with 几.
# Each alternative starts only at the start of its run of characters, so that long runs are
# read in linear time (the leftmost match is the same).
_NUMBER = re.compile(
    rf"(?:(?<!\d)\d+(?:\.\d+)?\s*(?:[kw万千百十](?![a-z]))?[万千百十]?"
    rf"|(?<![{_NUM_CHARS[4:]}])[{_NUM_CHARS[4:]}]+)"
)
_RANGE_SEP = r"\s*(?:-|~|～|—|–|到|至|to)\s*"
_UNIT = r"\s*(?:个|名|位)?\s*(?:人|员工|职工|employees?|staff|people)?\s*"
_RANGE = re.compile(rf"(?P<a>{_NUMBER.pattern}){_UNIT}{_RANGE_SEP}(?P<b>{_NUMBER.pattern})")
_ABOVE = re.compile(r"以上|及以上|\+|超过|大于|多于|>|≥|over|more than|above|at least|至少")
_BELOW = re.compile(r"以下|以内|不到|不足|少于|小于|<|≤|under|less than|fewer than|below|up to|最多")
_APPROX = re.compile(r"约|大约|大概|左右|上下|差不多|近|将近|接近|about|around|approx|~")
_MORE = re.compile(r"多|余|来")
# Dash and wave-dash variants → the ASCII forms the range pattern knows (after NFKC).
_DASHES = str.maketrans({**dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d", "-"),
                         "\u301c": "~", "\uff5e": "~"})
# Thousands grouped by spaces (thin spaces are spaces after NFKC): 10 000, 1 200
_SPACE_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d.])")
# Numbers that are not head counts: years, durations and dates (2018年, 成立10年, 5月), rankings
_NOT_HEADCOUNT = re.compile(
    rf"(?:{_NUMBER.pattern})(?:{_RANGE_SEP}(?:{_NUMBER.pattern}))?\s*(?:多|余|来)?\s*"
    r"(?:年|个月|月|日)|(?:" + _NUMBER.pattern + r")\s*强|fortune\s*\d+"
)
_OPEN_HUNDREDS = re.compile(r"(?<!以)(?:上|过)([百千])")


def _chinese_to_range(token: str) -> tuple[float, float] | None:
    """Parse Chinese numerals as a range.

    几 is 2–9 before a unit (几千 = 2000–9999) and 1–9 after one (十几 = 11–19); two adjacent
    digits are a range (两三百 = 200–300); a unit with no digit before it counts once (百来 = 100).
    """
    total_lo = total_hi = 0.0
    section_lo = section_hi = 0.0
    digit_lo: float | None = None
    digit_hi: float | None = None
    prev_digit = False
    for ch in token:
        if ch in _CN_DIGITS:
            value = float(_CN_DIGITS[ch])
            if prev_digit and digit_lo is not None and value > digit_lo:
                digit_hi = value  # 两三 → 2..3
            else:
                digit_lo = digit_hi = value
            prev_digit = True
            continue
        prev_digit = False
        if ch == "几":
            head = section_hi == 0 and total_hi == 0
            digit_lo, digit_hi = (2.0, 9.99) if head else (1.0, 9.0)
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if digit_lo is None or digit_hi is None:
                digit_lo = digit_hi = 1.0
            if unit >= 10_000:
                total_lo += (section_lo + digit_lo) * unit
                total_hi += (section_hi + digit_hi) * unit
                section_lo = section_hi = 0.0
            else:
                section_lo += digit_lo * unit
                section_hi += digit_hi * unit
            digit_lo = digit_hi = None
        else:
            return None
    # a trailing digit right after a unit counts in the next lower place: 一千八 = 1800,
    # 一百五 = 150, 一万二 = 12000 (but 一千零八 = 1008)
    scale = 1.0
    if digit_lo is not None and len(token) >= 2 and token[-2] in _CN_UNITS:
        scale = _CN_UNITS[token[-2]] / 10
    lo = total_lo + section_lo + (digit_lo or 0) * scale
    hi = total_hi + section_hi + (digit_hi or 0) * scale
    if hi <= 0:
        return None
    return lo, math.floor(hi)


def _number_to_range(token: str) -> tuple[float, float, float] | None:
    """``(low, high, place)`` for one number token; ``place`` is its last digit's place value."""
    token = token.strip().replace(" ", "")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([kw万千百十]?)([万千百十]?)", token)
    if m:
        value = float(m.group(1))
        mult = 1.0
        for suffix in (m.group(2), m.group(3)):
            mult *= {"": 1, "k": 1000, "w": 10_000, "万": 10_000, "千": 1000, "百": 100,
                     "十": 10}[suffix]
        digits = m.group(1).replace(".", "").rstrip("0")
        decimals = len(m.group(1).split(".")[1]) if "." in m.group(1) else 0
        trailing = len(m.group(1).split(".")[0]) - len(m.group(1).split(".")[0].rstrip("0"))
        place = mult * (10.0 ** (trailing if digits else 0)) / (10.0 ** decimals)
        return value * mult, value * mult, max(place, 1.0)
    rng = _chinese_to_range(token)
    if rng is None:
        return None
    lo, hi = rng
    # place value of the last numeral: a trailing unit itself (两千 → 1000), or a trailing digit
    # one place below the unit before it (一千八 → 100)
    if token[-1] in _CN_UNITS:
        place = float(_CN_UNITS[token[-1]])
    else:
        units_before = [c for c in token if c in _CN_UNITS]
        place = float(_CN_UNITS[units_before[-1]]) / 10 if units_before else 1.0
    return lo, hi, max(place, 1.0)


def _bucket_of(low: float, high: float) -> str:
    for name in SIZE_BUCKETS:
        b_lo, b_hi = BUCKET_RANGES[name]
        if low >= b_lo and high <= (b_hi if b_hi is not None else _INF):
            return name
    return UNKNOWN_SIZE


def _lift_shared_endpoint(low: float) -> float:
    return low + 1 if low in _BOUNDS else low


def _prepare(value: str) -> str:
    from .normalization import to_simplified  # 約兩千人 reads as 约两千人

    text = to_simplified(unicodedata.normalize("NFKC", value).strip().lower().translate(_DASHES))
    text = re.sub(r"\s+", " ", text)  # one space: runs of spaces made the range pattern backtrack
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,200 → 1200
    text = _SPACE_GROUPS.sub(lambda m: m.group(0).replace(" ", ""), text)  # 10 000 → 10000
    return re.sub(r"数(?=[十百千万])", "几", text)  # 数千 = 几千


def _negative(before: str) -> bool:
    """Whether the text before a number ends in a minus sign (not a label's dash: 规模-200)."""
    return re.search(r"(?:^|[\s(:=,;])-\s*$", before) is not None


def parse_size(value: Any) -> SizeReading:
    """Read ``value`` as an interval of employees and give its bucket (see module docs)."""

    def unknown(reason: str) -> SizeReading:
        return SizeReading(math.nan, math.nan, UNKNOWN_SIZE, reason)

    try:
        if value is None or isinstance(value, bool):
            return unknown("no value")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
                return unknown("not a finite number")
            if value < 1:
                return unknown(f"not a positive head count: {value!r}")
            return SizeReading(float(value), float(value), _bucket_of(value, value), "number")
        if not isinstance(value, str):
            try:
                number = float(value)
            except (TypeError, ValueError):
                return unknown(f"unsupported type {type(value).__name__}")
            return parse_size(number)
        text = _prepare(value)
        if not text:
            return unknown("empty")
        text, skipped = _NOT_HEADCOUNT.subn(" ; ", text)
        if re.search(r"上万|数万|好几万|几万|万人以上|过万", text):
            return SizeReading(10_000, _INF, "2000+", "ten thousand or more")
        m = _OPEN_HUNDREDS.search(text)
        if m:
            low = float(_CN_UNITS[m.group(1)])
            return SizeReading(low, _INF, _bucket_of(low, _INF), f"{m.group(0)}: an open end")
        m = _RANGE.search(text)
        if m and _negative(text[: m.start()]):
            return unknown(f"negative head count: {value!r}")
        if m:
            a, b = _number_to_range(m.group("a")), _number_to_range(m.group("b"))
            if a is None or b is None:
                return unknown(f"unreadable range {m.group(0)!r}")
            low, high = _lift_shared_endpoint(a[0]), b[1]
            if low > high or low < 1:
                return unknown(f"range runs backwards or from zero: {m.group(0)!r}")
            return SizeReading(low, high, _bucket_of(low, high), "range")
        m = _NUMBER.search(text)
        if not m or _number_to_range(m.group(0)) is None:
            return unknown("no number" + (" (only a year, date or ranking)" if skipped else ""))
        lo, hi, place = _number_to_range(m.group(0))  # type: ignore[misc]
        before, after = text[: m.start()], text[m.end():]
        if _negative(before):
            return unknown(f"negative head count: {value!r}")
        if lo < 1 and hi < 1:
            return unknown(f"not a positive head count: {value!r}")
        if _BELOW.search(before) or _BELOW.search(after):
            high = hi - 1 if re.search(r"不到|不足|少于|小于|<|less than|fewer than|under", text) else hi
            return SizeReading(1, high, _bucket_of(1, high), "upper bound")
        if _ABOVE.search(before) or _ABOVE.search(after[:8]):
            low = _lift_shared_endpoint(lo)
            if re.search(r"超过|大于|多于|>|more than|over", text):
                low = max(low, lo + 1)
            return SizeReading(low, _INF, _bucket_of(low, _INF), "lower bound")
        if re.match(r"\s*(?:多|余)", after) or (re.match(r"\s*来", after) is None and lo != hi):
            if lo != hi:  # 几 or two digits already gave the range (十几 → 11-19)
                low = _lift_shared_endpoint(lo)
                return SizeReading(low, hi, _bucket_of(low, hi), "numeral range")
            low, high = lo + 1, lo + place - 1 if place > 1 else lo + 9
            return SizeReading(low, high, _bucket_of(low, high), "'more than' reading")
        if _APPROX.search(before) or _APPROX.search(after) or re.match(r"\s*来", after):
            low, high = math.floor(lo * 0.9), math.ceil(hi * 1.1)
            return SizeReading(low, high, _bucket_of(low, high), "approximate (±10%)")
        return SizeReading(lo, hi, _bucket_of(lo, hi), "number")
    except Exception:  # never raise on user data; the reason is logged for debugging
        logger.debug("could not read company size %r", value, exc_info=True)
        return unknown("unparseable")


def size_bucket(value: Any) -> str:
    """The size bucket of ``value``, or ``"unknown"`` when it cannot be read with confidence.

    >>> size_bucket("两千多人"), size_bucket("51～200"), size_bucket("中型企业")
    ('2000+', '51-200', 'unknown')
    """
    if isinstance(value, str):
        return _bucket_of_text(value)
    return parse_size(value).bucket


@functools.lru_cache(maxsize=4096)
def _bucket_of_text(value: str) -> str:
    """Survey columns repeat a few answers many times: read each once."""
    return parse_size(value).bucket
