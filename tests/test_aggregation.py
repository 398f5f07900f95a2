import logging
import math

import numpy as np
import pandas as pd
import pytest

from textmine import LABELS
from textmine.aggregation import (
    DEFAULT_METHOD,
    SCORE_HEADERS,
    SIZE_HEADERS,
    aggregate,
    coerce_label_columns,
    detect_column,
    parse_scores,
    wilson_interval,
)
from textmine.errors import InputError


def _frame():
    # 4 rows in 51-200, 2 in 2000+, 1 unreadable size
    rows = [
        ("150人", 5, ["speed"]),
        ("51-200人", 2, ["speed", "channel"]),
        ("一百来人", 8, []),
        ("两百人", 6, ["cycle"]),
        ("2000人以上", 3, ["capability"]),
        ("两千多人", 9, []),
        ("中型企业", None, ["speed"]),
    ]
    data = {"size": [r[0] for r in rows], "score": [r[1] for r in rows]}
    for label in LABELS:
        data[label] = [int(label in r[2]) for r in rows]
    return pd.DataFrame(data)


def test_hand_computed_figures():
    out = aggregate(_frame(), size_col="size", score_col="score", method="count")
    assert list(out.index) == ["1-50", "51-200", "201-500", "501-1000", "1001-2000", "2000+", "unknown", "all"]
    mid = out.loc["51-200"]
    assert mid["n"] == 4
    assert mid["speed"] == pytest.approx(2 / 4) and mid["channel"] == pytest.approx(1 / 4)
    assert mid["complaint_share"] == pytest.approx(3 / 4)
    assert mid["mean_score"] == pytest.approx((5 + 2 + 8 + 6) / 4)
    assert mid["dissatisfied_share"] == pytest.approx(3 / 4)           # 5, 2, 6 <= 6
    assert mid["dissatisfied_mean_score"] == pytest.approx((5 + 2 + 6) / 3)
    assert mid["intolerable_share"] == pytest.approx(1 / 4)            # 2 <= 3
    big = out.loc["2000+"]
    assert big["n"] == 2 and big["capability"] == 0.5 and big["intolerable_share"] == 0.5
    assert out.loc["unknown", "n"] == 1 and math.isnan(out.loc["unknown", "mean_score"])
    assert out.loc["all", "n"] == 7 and out.loc["all", "speed"] == pytest.approx(3 / 7)
    assert out.loc["1-50", "n"] == 0 and math.isnan(out.loc["1-50", "speed"])
    assert out["small_sample"].all()
    assert out.attrs["method"] == "count"


def test_thresholds_are_parameters():
    out = aggregate(_frame(), size_col="size", score_col="score", method="count",
                    dissatisfied_max=5, intolerable_max=2)
    assert out.loc["51-200", "dissatisfied_share"] == pytest.approx(2 / 4)
    assert out.loc["51-200", "intolerable_share"] == pytest.approx(1 / 4)


def test_without_size_or_score_columns():
    out = aggregate(_frame().drop(columns=["size"]), score_col="score", method="count")
    assert list(out.index) == ["all"]
    no_score = aggregate(_frame(), size_col="size", method="count")
    assert no_score["mean_score"].isna().all() and no_score["dissatisfied_share"].isna().all()


def test_empty_frame():
    empty = _frame().iloc[:0]
    out = aggregate(empty, size_col="size", score_col="score", method="count")
    assert out.loc["all", "n"] == 0 and math.isnan(out.loc["all", "speed"])


def test_wilson_interval():
    low, high = wilson_interval(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-3) and high == pytest.approx(0.7634, abs=1e-3)
    assert all(math.isnan(v) for v in wilson_interval(0, 0))
    out = aggregate(_frame(), size_col="size", method="count")
    assert (out.loc["all", "speed_low"] <= out.loc["all", "speed"] <= out.loc["all", "speed_high"])


def test_raw_texts_are_labelled_first_and_methods_differ():
    frame = pd.DataFrame({"意见": ["热线永远占线，留言也没人回", "挺好的", "回复挺快，但拖了一个月才解决"],
                          "企业规模": ["150人", "2000+", "150人"], "满意度": [2, 9, 5]})
    counted = aggregate(frame, size_col="企业规模", score_col="满意度", method="count")
    assert counted.loc["51-200", "channel"] == pytest.approx(0.5)
    default = aggregate(frame, size_col="企业规模", score_col="满意度")
    assert default.attrs["method"] == DEFAULT_METHOD
    by_proba = aggregate(frame, size_col="企业规模", score_col="满意度", method="mean_proba")
    assert by_proba.attrs["method"] == "mean_proba"
    assert 0 < by_proba.loc["all", "channel"] < 1
    assert by_proba.loc["all", "channel"] not in (0.0, 1 / 3, 2 / 3, 1.0)  # a mean of probabilities, not a count


def test_bad_arguments():
    with pytest.raises(InputError, match="method must be"):
        aggregate(_frame(), method="magic")
    with pytest.raises(InputError, match="column 'nope' not found"):
        aggregate(_frame(), size_col="nope")
    with pytest.raises(InputError, match="p_<label>"):
        aggregate(_frame(), method="mean_proba")


def test_detect_columns():
    cols = ["序号", "企业规模", "满意度评分", "意见反馈"]
    assert detect_column(cols, ("企业规模", "规模")) == "企业规模"
    assert detect_column(["Company Size", "Rating"], ("company size", "size")) == "Company Size"
    assert detect_column(["a", "b"], ("size",)) is None
    traditional = ["序號", "企業規模", "滿意度評分", "意見反饋"]
    assert detect_column(traditional, SIZE_HEADERS) == "企業規模"
    assert detect_column(traditional, SCORE_HEADERS) == "滿意度評分"


def test_scores_are_read_leniently():
    frame = _frame()
    frame["score"] = ["3分", "7 分", "７", "8.5", "８．５", " 2 ", None]
    out = aggregate(frame, score_col="score", method="count")
    assert out.loc["all", "n_scored"] == 6 and out.loc["all", "n_score_unreadable"] == 0
    assert out.loc["all", "mean_score"] == pytest.approx((3 + 7 + 7 + 8.5 + 8.5 + 2) / 6)
    scores, unreadable = parse_scores(pd.Series(["3分", "７", "", np.nan, "abc", -1, True, "1_0"]))
    assert scores.iloc[:2].tolist() == [3.0, 7.0] and scores.iloc[2:].isna().all()
    assert unreadable.tolist() == [False, False, False, False, True, True, True, True]


def test_unreadable_scores_are_counted_and_logged(caplog):
    frame = _frame()
    frame["score"] = ["5", "abc", "很满意", np.nan, 3, 9, -2]
    with caplog.at_level(logging.WARNING, logger="textmine.aggregation"):
        out = aggregate(frame, size_col="size", score_col="score", method="count")
    assert out.loc["all", "n_scored"] == 3 and out.loc["all", "n_score_unreadable"] == 3
    assert out.loc["51-200", "n_score_unreadable"] == 2 and out.loc["unknown", "n_score_unreadable"] == 1
    assert out.attrs["unreadable_scores"] == 3 and out.attrs["unreadable_score_examples"] == ["abc", "很满意", "-2"]
    assert "3 of 7 scores in column 'score' are unreadable" in caplog.text
    assert aggregate(_frame(), score_col="score", method="count").attrs["unreadable_scores"] == 0


def test_scores_above_ten_are_another_scale():
    frame = _frame()
    frame["满意度"] = [85, "60", 7, 90, 100, 40, 55]
    with pytest.raises(InputError, match=r"score column '满意度' holds values above 10 \(e\.g\. 85 in data row 1; 6 such"):
        aggregate(frame, score_col="满意度", method="count")


@pytest.mark.parametrize("one, zero", [(1, 0), ("1", "0"), ("1.0", "0.0"), (True, False), ("True", "false"), (" 1 ", "0")])
def test_label_columns_as_text_are_numbers(one, zero):
    expected = aggregate(_frame(), size_col="size", score_col="score", method="count")
    frame = _frame().astype({label: object for label in LABELS})
    for label in LABELS:
        frame[label] = [one if v == 1 else zero for v in _frame()[label]]
    out = aggregate(frame, size_col="size", score_col="score", method="count")
    pd.testing.assert_frame_equal(out, expected)


def test_coerce_label_columns():
    frame = _frame().astype(str)
    for label in LABELS:
        frame[f"p_{label}"] = ["0.25"] * len(frame)
    out = coerce_label_columns(frame)
    assert out["speed"].tolist() == _frame()["speed"].tolist() and out["p_speed"].tolist() == [0.25] * len(frame)
    assert frame["speed"].tolist()[0] == "1"  # the input is left alone
    bad = frame.copy()
    bad.loc[3, "cycle"] = "yes"
    with pytest.raises(InputError, match=r"labelled\.csv: label column 'cycle' must hold 0/1 .* row 4 holds 'yes' \(1 such value\)"):
        coerce_label_columns(bad, "labelled.csv")
    bad = frame.copy()
    bad.loc[0, "speed"], bad.loc[1, "speed"], bad.loc[2, "speed"] = "", "2", "-1"
    with pytest.raises(InputError, match=r"'speed' .* row 2 holds '2' \(2 such values\)"):
        coerce_label_columns(bad)
    marked = frame.copy()  # a sheet marked by hand: 1 where a label applies, blank elsewhere
    marked["speed"] = ["1" if v == "1" else "" for v in frame["speed"]]
    marked["p_speed"] = ""
    out = coerce_label_columns(marked)
    assert out["speed"].tolist() == _frame()["speed"].tolist() and out["p_speed"].isna().all()
    with pytest.raises(InputError, match=r"'mean_proba' needs a probability on every row; column 'p_speed'"):
        aggregate(marked, method="mean_proba")
    bad = frame.copy()
    bad.loc[2, "p_channel"] = "high"
    with pytest.raises(InputError, match=r"probability column 'p_channel' .* row 3 holds 'high'"):
        aggregate(bad, method="mean_proba")
