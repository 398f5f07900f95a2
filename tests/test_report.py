import json
import os
import re

import pandas as pd
import pytest

import textmine
from textmine.cli import main
from textmine.corpus import read_records
from textmine.io import read_table
from textmine.report import build_report, render, write_report

from .conftest import REPO

DEMO = REPO / "corpus" / "samples" / "survey_demo.csv"
GOLD = REPO / "corpus" / "samples" / "survey_demo_gold.jsonl"


@pytest.fixture(scope="module")
def demo_report():
    frame = read_table(DEMO).frame
    return build_report(frame, source=str(DEMO))


def test_demo_file_is_an_excel_style_export():
    raw = DEMO.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    frame = read_table(DEMO).frame
    assert {"企业规模", "满意度评分", "意见反馈"} <= set(frame.columns) and len(frame) >= 600
    gold = read_records(GOLD)
    assert [r.text for r in gold] == frame["意见反馈"].tolist()
    corpus_texts = {r.text for path in (REPO / "corpus").glob("*.jsonl") for r in read_records(path)}
    assert not corpus_texts & {r.text for r in gold}


def test_demo_gold_echoes_the_study():
    gold = read_records(GOLD)
    scores = pd.Series([r.score for r in gold])
    assert abs((scores <= 3).mean() - 0.25) < 0.03
    dissatisfied = [r for r in gold if r.score <= 6]
    share = {label: sum(label in r.labels for r in dissatisfied) / len(dissatisfied) for label in textmine.LABELS}
    assert abs(share["speed"] - 1 / 2) < 0.05 and abs(share["channel"] - 1 / 3) < 0.05 and abs(share["cycle"] - 1 / 3) < 0.05
    for bucket, expected in (("51-200", 5.1), ("2000+", 5.2)):
        values = [r.score for r in dissatisfied if textmine.size_bucket(r.company_size) == bucket]
        assert abs(sum(values) / len(values) - expected) < 0.15


def test_estimated_shares_near_gold(demo_report):
    gold = read_records(GOLD)
    for label in textmine.LABELS:
        truth = sum(label in r.labels for r in gold) / len(gold)
        estimate = demo_report.by_size.loc["all", label]
        assert abs(estimate - truth) <= 0.05, (label, estimate, truth)


def test_html_is_self_contained_and_holds_every_view(demo_report, tmp_path):
    out = tmp_path / "r.html"
    render(demo_report, out)
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", page), "the report must not load anything"
    assert "<script" not in page
    for heading in ("Headline", "Prevalence", "by company size", "mean score by size", "Top pain points",
                    "Representative quotes", "Impression map"):
        assert heading in page
    for label in textmine.LABELS:
        assert f"{textmine.LABEL_INFO[label].name_zh} ({label})" in page
    assert page.count("<svg") == 3 and "study 5.1" in page
    pains = page[page.index("Top pain points"):]
    assert pains.index("51-200 ★") < pains.index("2000+ ★") < pains.index("<td>1-50</td>")  # heavyweights first


@pytest.mark.parametrize("suffix", [".html", ".md", ".xlsx", ".csv"])
def test_every_format_via_cli(tmp_path, suffix, capsys):
    out = tmp_path / f"report{suffix}"
    assert main(["report", str(DEMO), "-o", str(out)]) == 0
    assert out.exists() and out.stat().st_size > 500
    if suffix == ".csv":
        table = pd.read_csv(out, encoding="utf-8-sig", index_col=0)
        assert list(table.index)[-1] == "all" and "dissatisfied_mean_score" in table.columns
    if suffix == ".xlsx":
        sheets = pd.read_excel(out, sheet_name=None)
        assert {"headline", "prevalence", "by_size", "top_pains", "quotes", "terms"} <= set(sheets)
    if suffix == ".md":
        assert "## 7 · Impression map" in out.read_text(encoding="utf-8")
    assert main(["report", str(DEMO), "-o", str(out)]) == 2  # exists, no --force


def test_existing_label_columns_are_used_unless_relabel(tmp_path):
    frame = pd.DataFrame({"意见": ["随便写写", "还行"], "规模": ["150人", "两千多人"], "评分": [2, 9]})
    for label in textmine.LABELS:
        frame[label] = [1 if label == "speed" else 0, 0]
    report = build_report(frame, method="count")
    assert report.by_size.loc["51-200", "speed"] == 1.0 and "from the input" in report.notes[0]
    relabelled = build_report(frame, relabel=True, method="count")
    assert relabelled.by_size.loc["51-200", "speed"] == 0.0


def test_report_errors(tmp_path, capsys):
    assert main(["report", str(DEMO), "-o", str(tmp_path / "r.pdf")]) == 1
    assert "unsupported report type" in capsys.readouterr().err
    assert main(["report", str(DEMO), "-o", str(tmp_path / "r.html"), "--size-col", "nope"]) == 1
    assert "column 'nope' not found" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()
    (tmp_path / "folder.md").mkdir()
    assert main(["report", str(DEMO), "-o", str(tmp_path / "folder.md"), "--force"]) == 1
    assert "folder.md: is a folder" in capsys.readouterr().err


def test_a_column_guessed_as_scores_by_part_of_its_name_is_passed_over_when_not_scores():
    frame = pd.DataFrame({"意见": ["电话打不通", "还行"], "规模": ["20人", "150人"], "operating_years": ["15", "3"]})
    report = build_report(frame, method="count")  # "rating" is inside "operating_years"
    assert report.score_col is None and report.headline["scored"] == 0
    assert any("“operating_years” is not used as scores" in note for note in report.notes)
    with pytest.raises(textmine.InputError, match="holds values above 10"):  # named exactly: must be 0-10
        build_report(frame.rename(columns={"operating_years": "评分"}), method="count")


def test_terms_skip_stop_words(demo_report):
    terms = [t for t, _ in demo_report.terms]
    assert terms and not {"的", "了", "我们", "客服"} & set(terms)
    json.dumps(demo_report.terms, ensure_ascii=False)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_report_on_a_labelled_file_matches_a_direct_report(demo_report, tmp_path, suffix):
    labelled = tmp_path / f"demo_lab{suffix}"
    assert main(["label", str(DEMO), "-o", str(labelled), "--quiet"]) == 0
    frame = read_table(labelled).frame
    if suffix == ".csv":
        assert frame["speed"].iloc[0] == "1"  # read as text, as written
    report = build_report(frame, source=str(labelled))
    assert "from the input" in report.notes[0]
    assert all(len(report.quotes[label]) == 3 for label in textmine.LABELS)
    assert report.quotes == demo_report.quotes and report.terms == demo_report.terms
    pd.testing.assert_frame_equal(report.by_size, demo_report.by_size)
    pd.testing.assert_frame_equal(report.prevalence, demo_report.prevalence)
    out, direct = tmp_path / "r.md", tmp_path / "direct.md"
    assert main(["report", str(labelled), "-o", str(out)]) == 0
    assert main(["report", str(DEMO), "-o", str(direct)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "- none" not in text
    assert text.split("## 1 ·")[1] == direct.read_text(encoding="utf-8").split("## 1 ·")[1]


def test_bad_label_values_are_named(tmp_path):
    frame = pd.DataFrame({"意见": ["随便写写", "还行"], "规模": ["150人", "两千多人"], "评分": [2, 9]})
    for label in textmine.LABELS:
        frame[label] = ["0", "0"]
    frame["cycle"] = ["1", "是"]
    with pytest.raises(textmine.InputError, match=r"x\.csv: label column 'cycle' must hold 0/1 .* '是'"):
        build_report(frame, source="x.csv")


def _md_rows(text: str, heading: str) -> dict[str, list[str]]:
    section = text[text.index(heading):].split("\n## ")[0]
    lines = [line for line in section.splitlines() if line.startswith("|") and not line.startswith("|---")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    return {cells[0]: dict(zip(header[1:], cells[1:])) for cells in
            ([c.strip() for c in line.strip("|").split("|")] for line in lines[1:])}


def test_markdown_formats_by_column_meaning(tmp_path):
    frame = pd.DataFrame({"意见": ["随便写写", "还行", "一般般", "还可以吧"],
                          "规模": ["20人", "150人", "150人", "两千多人"], "评分": [1, 0.5, 9, 10]})
    for label in textmine.LABELS:
        frame[label] = [1 if label == "speed" else 0, 0, 1 if label == "speed" else 0, 0]
    out = tmp_path / "r.md"
    render(build_report(frame, method="count"), out)
    text = out.read_text(encoding="utf-8")
    by_size = _md_rows(text, "## 3 ·")
    small = by_size["1-50"]
    assert small["n"] == "1" and small["speed"] == "100%" and small["mean_score"] == "1.0"
    assert small["dissatisfied_mean_score"] == "1.0" and small["dissatisfied_share"] == "100%"
    assert by_size["201-500"]["n"] == "0" and by_size["201-500"]["mean_score"] == "–"
    assert by_size["51-200"]["n"] == "2" and by_size["51-200"]["mean_score"] == "4.8"
    assert by_size["all"]["n"] == "4" and by_size["all"]["speed"] == "50%"
    scores = _md_rows(text, "## 4 ·")
    assert scores["1-50"] == {"n": "1", "dissatisfied_mean_score": "1.0", "study": "–"}
    assert scores["51-200"] == {"n": "2", "dissatisfied_mean_score": "0.5", "study": "5.1"}
    assert _md_rows(text, "## 5 ·")["1-50"]["n"] == "1"
    assert _md_rows(text, "## 2 ·")["speed"]["all"] == "50%"


def test_unreadable_scores_are_reported(tmp_path):
    frame = pd.DataFrame({"意见": ["随便写写", "还行", "一般般"], "规模": ["20人", "150人", "150人"],
                          "评分": ["３分", "很满意", "8.5"]})
    report = build_report(frame, method="count")
    assert report.headline["unreadable_scores"] == 1 and report.headline["scored"] == 2
    assert report.by_size.loc["all", "dissatisfied_share"] == 0.5
    assert any("1 of 3 scores in “评分” unreadable (e.g. “很满意”)" in note for note in report.notes)
    for suffix in (".md", ".html"):
        render(report, tmp_path / f"r{suffix}")
        text = (tmp_path / f"r{suffix}").read_text(encoding="utf-8")
        assert "1 of 3 scores" in text and "unreadable" in text
    assert "unreadable scores (left out): **1**" in (tmp_path / "r.md").read_text(encoding="utf-8")
    clean = build_report(frame.assign(评分=[3, 9, 8]), method="count")
    assert clean.headline["unreadable_scores"] == 0 and not any("unreadable" in note for note in clean.notes)


def test_report_never_overwrites_its_input(tmp_path, capsys):
    source = tmp_path / "labelled.csv"
    source.write_bytes(DEMO.read_bytes())
    (tmp_path / "link.csv").symlink_to(source)
    os.link(source, tmp_path / "hard.csv")
    for out in (source, tmp_path / "link.csv", tmp_path / "hard.csv", tmp_path / "sub" / ".." / "labelled.csv"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        with pytest.raises(textmine.InputError, match="would overwrite the input") as caught:
            write_report(source, out, force=True)
        assert str(out) in str(caught.value) and str(source) in str(caught.value)
    assert main(["report", str(source), "-o", str(tmp_path / "link.csv"), "--force"]) == 1
    assert "would overwrite the input" in capsys.readouterr().err
    assert source.read_bytes() == DEMO.read_bytes()


def test_term_counts_are_responses_containing_the_term_repeats_included():
    frame = pd.DataFrame({"意见反馈": ["电话一直占线", "电话一直占线", "电话一直占线，电话没人接", "工单没人处理"],
                          "评分": ["2", "3", "1", "9"]})
    report = build_report(frame, method="count")
    terms = dict(report.terms)
    assert terms["电话"] == 3  # three dissatisfied responses, whichever repeat, each counted once
    assert "工单" not in terms  # scored 9: not dissatisfied


def test_a_file_labelled_with_a_prefix_is_reported_from_its_labels(tmp_path):
    labelled = tmp_path / "tm.csv"
    assert main(["label", str(DEMO), "-o", str(labelled), "--prefix", "tm_"]) == 0
    frame = read_table(labelled).frame
    flipped = frame.assign(tm_speed="0")  # if the report used its own predictions, speed would not be 0
    report = build_report(flipped, method="count")
    assert any("“tm_” columns" in note for note in report.notes)
    assert report.by_size.loc["all", "speed"] == 0
    assert build_report(frame, method="count").by_size.loc["all", "speed"] > 0
