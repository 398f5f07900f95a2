import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import textmine
from textmine.cli import main
from textmine.errors import InputError
from textmine.io import read_table
from textmine.labeling import detect_text_column, label_file, label_frame, output_columns

TEXTS = ["热线永远占线，留言也没人回", "客服很耐心，当天就解决了", "", "=HYPERLINK(\"x\")回复太慢了", "轉了四個部門，每次都要重新描述一遍"]


@pytest.fixture
def survey(tmp_path):
    frame = pd.DataFrame({"编号": [f"{i}" for i in range(len(TEXTS))], "企业规模": ["150人"] * len(TEXTS), "意见反馈": TEXTS})
    path = tmp_path / "survey.csv"
    path.write_bytes(frame.to_csv(index=False).encode("utf-8-sig"))
    return path, frame


def test_label_frame_is_pure_and_keeps_index():
    df = pd.DataFrame({"意见": TEXTS}, index=[10, 11, 12, 13, 14])
    before = df.copy()
    out = label_frame(df)
    assert df.equals(before)
    assert list(out.index) == [10, 11, 12, 13, 14]
    assert list(out.columns) == ["意见", *output_columns()]
    assert out.loc[12, "labels"] == "" and out.loc[12, textmine.LABELS].sum() == 0
    assert out.loc[10, "channel"] == 1 and "channel" in out.loc[10, "labels"].split(";")
    for label in textmine.LABELS:
        assert out[label].isin([0, 1]).all()
        assert out[f"p_{label}"].between(0, 1).all()


def test_label_frame_on_empty_frame_gives_columns():
    out = label_frame(pd.DataFrame({"text": pd.Series([], dtype=object)}))
    assert list(out.columns) == ["text", *output_columns()] and len(out) == 0


def test_column_clash_and_prefix():
    df = pd.DataFrame({"text": ["电话打不通"], "labels": ["old"]})
    with pytest.raises(InputError, match="--prefix"):
        label_frame(df)
    out = label_frame(df, prefix="tm_")
    assert out["labels"].tolist() == ["old"] and "tm_channel" in out.columns


def test_text_column_detection():
    assert detect_text_column(["编号", "企业规模", "意见反馈"]) == "意见反馈"
    assert detect_text_column(["id", "Comment"]) == "Comment"
    with pytest.raises(InputError, match="no feedback text column found among 'a', 'b'"):
        detect_text_column(["a", "b"])
    with pytest.raises(InputError, match="several columns"):
        detect_text_column(["意见", "建议"])
    assert detect_text_column(["編號", "企業規模", "意見反饋"]) == "意見反饋"  # Traditional headers
    assert detect_text_column(["ＩＤ", "ＴＥＸＴ"]) == "ＴＥＸＴ"  # full-width headers


def test_cli_matches_label_frame(survey, tmp_path):
    path, frame = survey
    out = tmp_path / "out.csv"
    assert main(["label", str(path), "-o", str(out), "--quiet"]) == 0
    written = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    expected = label_frame(frame)
    assert written["labels"].tolist() == expected["labels"].tolist()
    assert written["编号"].tolist() == frame["编号"].tolist()
    assert written["意见反馈"][3].startswith("'=")  # formula neutralised in CSV output
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and "survey" in path.name  # input untouched


def test_jobs_two_identical_to_one(survey, tmp_path):
    path, _ = survey
    big = tmp_path / "big.jsonl"
    pd.DataFrame({"text": TEXTS * 40}).to_json(big, orient="records", lines=True, force_ascii=False)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    label_file(big, one, chunk_size=17, jobs=1)
    summary = label_file(big, two, chunk_size=17, jobs=2)
    assert one.read_bytes() == two.read_bytes()
    assert summary.rows == 200 and summary.empty_texts == 40


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx", ".jsonl", ".parquet", ".txt"])
def test_every_output_format(survey, tmp_path, suffix):
    path, frame = survey
    out = tmp_path / f"out{suffix}"
    summary = label_file(path, out)
    assert out.exists() and summary.rows == len(frame)
    if suffix in (".xlsx", ".parquet", ".jsonl"):
        back = read_table(out).frame
        assert back["labels"].fillna("").tolist() == label_frame(frame)["labels"].tolist()


def test_xlsx_input_with_sheet(tmp_path):
    path = tmp_path / "in.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"x": [1]}).to_excel(xw, sheet_name="说明", index=False)
        pd.DataFrame({"留言": TEXTS}).to_excel(xw, sheet_name="反馈", index=False)
    out = tmp_path / "out.csv"
    label_file(path, out, sheet="反馈")
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == len(TEXTS)
    with pytest.raises(InputError, match="no feedback text column"):
        label_file(path, tmp_path / "o2.csv")


def test_existing_output_needs_force(survey, tmp_path, capsys):
    path, _ = survey
    out = tmp_path / "out.csv"
    out.write_text("keep me", encoding="utf-8")
    assert main(["label", str(path), "-o", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "keep me"
    assert main(["label", str(path), "-o", str(out), "--force", "--quiet"]) == 0
    assert out.read_text(encoding="utf-8-sig").startswith("编号")


def test_failing_run_leaves_no_output(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    rows = ["意见"] + ["电话打不通"] * 30 + ["a,b"]
    bad.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["label", str(bad), "-o", str(out), "--chunk-size", "10"]) == 1
    err = capsys.readouterr().err
    assert "bad.csv, line 32" in err and "more fields" in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


@pytest.mark.parametrize("args, message", [
    (["missing.csv"], "no such file"),
    (["--text-col", "nope"], "expected a text column 'nope'"),
    (["--jobs", "0"], "--jobs must be a number of processes"),
])
def test_cli_input_errors(survey, tmp_path, capsys, args, message):
    path, _ = survey
    argv = ["label", str(path), "-o", str(tmp_path / "o.csv")]
    if args[0] == "missing.csv":
        argv[1] = str(tmp_path / "missing.csv")
    else:
        argv += args
    assert main(argv) == 1
    assert message in capsys.readouterr().err


def test_console_script_summary_and_quiet(survey, tmp_path):
    path, _ = survey
    exe = Path(sys.executable).parent / "textmine"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([str(exe), "label", str(path), "-o", str(tmp_path / "o.tsv")],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and "labelled 5 rows" in result.stderr and "1 empty texts" in result.stderr
    quiet = subprocess.run([str(exe), "label", str(path), "-o", str(tmp_path / "o2.tsv"), "--quiet"],
                           capture_output=True, text=True, env=env, timeout=300)
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_dask_map_partitions_on_local_cluster():
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    frame = pd.DataFrame({"意见": TEXTS * 8})
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        ddf = dd.from_pandas(frame, npartitions=4)
        meta = label_frame(frame.iloc[:0], text_col="意见")
        result = ddf.map_partitions(label_frame, text_col="意见", meta=meta).compute()
    # dask may store text as pyarrow strings; values and order must match exactly
    pd.testing.assert_frame_equal(result.sort_index(), label_frame(frame, text_col="意见"), check_dtype=False)


def test_giant_cells(tmp_path):
    giant = "客服电话打不通。" * 20_000  # 160,000 characters
    csv_path = tmp_path / "giant.csv"
    csv_path.write_text("意见\n正常的一条\n\"" + giant + "\"\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"giant\.csv, line 3: .*131072 characters"):
        label_file(csv_path, tmp_path / "o.csv")
    assert not (tmp_path / "o.csv").exists()
    jsonl = tmp_path / "giant.jsonl"
    pd.DataFrame({"text": ["正常的一条", giant]}).to_json(jsonl, orient="records", lines=True, force_ascii=False)
    summary = label_file(jsonl, tmp_path / "o.jsonl")
    assert summary.rows == 2 and summary.truncated_texts == 1
    back = read_table(tmp_path / "o.jsonl").frame
    assert back["text"][1] == giant and "channel" in back["labels"][1]


def test_sigterm_interrupts_like_ctrl_c():
    import signal

    from textmine.cli import _interrupt_on_sigterm

    previous = _interrupt_on_sigterm()
    try:
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler interrupts the sleep at once
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_list_in_the_text_column_stops_with_the_row(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "电话打不通"}\n{"text": ["客服", "态度差"]}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"in\.jsonl, data row 2: column 'text' holds a list, not a text"):
        label_file(src, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()
