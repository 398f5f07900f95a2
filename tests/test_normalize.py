import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textmine.normalization import normalize, to_traditional


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ＡＢＣ１２３，！", "ABC123,!"),
        ("電話一直佔線", "电话一直占线"),
        ("  客服\t\t回复\n\n慢  ", "客服 回复 慢"),
        ("bug😡 VPN连不上", "bug😡 VPN连不上"),
        ("a\x00b\x07c", "abc"),
        ("零\u200b宽", "零宽"),
        ("", ""),
    ],
)
def test_examples(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("missing", [None, math.nan, float("nan")])
def test_missing_values_become_empty(missing):
    assert normalize(missing) == ""


def test_non_strings_are_stringified():
    assert normalize(150) == "150"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_and_idempotent(text):
    once = normalize(text)
    assert isinstance(once, str)
    assert normalize(once) == once


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("客服電話態度差響應慢工單拖延ＡＢ１２ 　，。!😀")))
def test_traditional_and_fullwidth_variants_normalise_alike(text):
    assert normalize(to_traditional(text)) == normalize(text)
