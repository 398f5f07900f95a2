import math

import pytest

from textmine import size_bucket
from textmine.sizes import parse_size

CASES = [
    # bare numbers and units
    ("150人", "51-200"), ("150", "51-200"), (150, "51-200"), (150.0, "51-200"), ("１５０人", "51-200"),
    ("员工 80 名", "51-200"), ("1,200人", "1001-2000"), ("500 employees", "201-500"),
    ("20000", "2000+"), ("1万人", "2000+"), ("1.5万", "2000+"), ("3w", "2000+"),
    ("一百五十人", "51-200"), ("二十人", "1-50"), ("三百", "201-500"),
    # bounds sit in the lower bucket
    ("200人", "51-200"), ("2000人", "1001-2000"), (50, "1-50"), (51, "51-200"),
    # ranges, including survey bands that share an endpoint
    ("51-200人", "51-200"), ("51～200", "51-200"), ("51~200人", "51-200"), ("51到200人", "51-200"),
    ("200-500人", "201-500"), ("1000-2000", "1001-2000"), ("50-200人", "51-200"),
    ("1-50人", "1-50"), ("10-50人", "1-50"), ("501-1000", "501-1000"), ("1001－2000人", "1001-2000"),
    # open ends
    ("2000+", "2000+"), ("2000人以上", "2000+"), ("2000以上", "2000+"), ("over 2000", "2000+"),
    ("50人以下", "1-50"), ("不到50人", "1-50"), ("less than 50 employees", "1-50"),
    ("上万人", "2000+"), ("几千人", "2000+"), ("数万员工", "2000+"),
    # approximations and 多/余/来/几
    ("两千多人", "2000+"), ("三十来个人", "1-50"), ("五百余名员工", "501-1000"), ("约800人", "501-1000"),
    ("150人左右", "51-200"), ("一千多", "1001-2000"), ("十几个人", "1-50"), ("3000多人", "2000+"),
    ("百来人", "51-200"), ("七八十人", "51-200"), ("两三百人", "201-500"), ("一千八左右", "1001-2000"),
    ("一百五", "51-200"), ("一千零八十人", "1001-2000"), ("两千七八百人", "2000+"), ("一百三四十人", "51-200"),
    # straddling ranges and approximations on a bound: unknown, never a guess
    ("200人以下", "unknown"), ("100-300人", "unknown"), ("几十人", "unknown"), ("几百人", "unknown"),
    ("1000人左右", "unknown"), ("约200人", "unknown"),
    # unreadable
    ("中型企业", "unknown"), ("", "unknown"), ("   ", "unknown"), (None, "unknown"), ("很多人", "unknown"),
    ("集团公司", "unknown"), (math.nan, "unknown"), (0, "unknown"), (-5, "unknown"), ("0人", "unknown"),
    (True, "unknown"), ("500-100人", "unknown"), (float("inf"), "unknown"), ([1, 2], "unknown"),
    (object(), "unknown"),
]


@pytest.mark.parametrize("value, bucket", CASES, ids=[repr(c[0]) for c in CASES])
def test_size_bucket(value, bucket):
    assert size_bucket(value) == bucket


def test_reading_explains_itself():
    reading = parse_size("200人以下")
    assert reading.bucket == "unknown" and (reading.low, reading.high) == (1, 200)
    assert "bound" in reading.reason


def test_never_raises_on_garbage():
    for value in ["\x00\xff", "人" * 10_000, "9" * 400, "一万万万万", "-", "~", "几几几", b"150"]:
        assert size_bucket(value) in {"1-50", "51-200", "201-500", "501-1000", "1001-2000", "2000+", "unknown"}
