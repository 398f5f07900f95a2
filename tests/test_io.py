import json

import pandas as pd
import pytest

from textmine.errors import InputError
from textmine.io import TableWriter, detect_encoding, iter_table, neutralise_formulas, read_table

ROWS = pd.DataFrame({"编号": ["1", "2", "3"], "意见反馈": ["客服電話一直佔線😡", "回复挺快，=就是拖了一个月", ""]})


def _write_csv(path, encoding, sep=","):
    path.write_bytes(ROWS.to_csv(index=False, sep=sep, lineterminator="\r\n").encode(encoding))


@pytest.mark.parametrize("encoding, expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                                ("gb18030", "gb18030"), ("utf-16", "utf-16")])
def test_encodings_detected_and_values_kept(tmp_path, encoding, expected):
    path = tmp_path / "in.csv"
    _write_csv(path, encoding)
    assert detect_encoding(path) == expected
    table = read_table(path)
    assert table.encoding == expected
    assert table.frame["意见反馈"].tolist() == ROWS["意见反馈"].tolist()
    assert table.frame["编号"].tolist() == ["1", "2", "3"]  # read as text, not numbers


def test_gbk_file_round_trips_through_writer(tmp_path):
    src = tmp_path / "gbk.tsv"
    rows = pd.DataFrame({"编号": ["1", "2"], "意见反馈": ["客服电话一直占线！", "工单三天没人理，ＶＰＮ连不上"]})
    src.write_bytes(rows.to_csv(index=False, sep="\t").encode("gbk"))
    assert detect_encoding(src) == "gb18030"
    frame = read_table(src).frame
    assert frame.equals(rows)
    out = tmp_path / "out.tsv"
    with TableWriter(out, neutralise=False) as w:
        w.write(frame)
        w.commit()
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM for Excel
    assert read_table(out).frame.equals(frame)


def test_txt_is_one_text_per_line(tmp_path):
    path = tmp_path / "in.txt"
    path.write_text("第一条，有逗号\n第二条\t带制表符\n\n第四条\n", encoding="utf-8")
    frame = read_table(path).frame
    assert frame["text"].tolist() == ["第一条，有逗号", "第二条\t带制表符", "", "第四条"]


def test_chunks_keep_file_row_numbers(tmp_path):
    path = tmp_path / "big.csv"
    pd.DataFrame({"text": [f"第{i}条" for i in range(25)]}).to_csv(path, index=False)
    chunks, fmt, enc = iter_table(path, chunk_size=10)
    chunks = list(chunks)
    assert [len(c) for c in chunks] == [10, 10, 5]
    assert chunks[2].index[0] == 20 and fmt == ".csv" and enc == "utf-8"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty"),
        (b"a,b\n", "no rows"),
        # UTF-8 with one damaged byte: named, not read as GB18030 gibberish
        (b"text,score\n\xe4\xbd\xa0\xe5\xa5\xbd,1\n\x81,2\n", r"line 3 \(byte offset 20\): bytes b'\\x81,2\\n' are not valid utf-8"),
        (b"text,score\nok,1\nbad,2,3\n", "line 3: the row has more fields"),
        (b"text,score\nok,1\nshort\n", "line 3: the row has fewer fields"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"text,text\na,b\n", "repeats column names"),
    ],
)
def test_bad_csv_inputs(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    if message is None:
        read_table(path)
        return
    with pytest.raises(InputError, match=message) as exc:
        read_table(path)
    assert "bad.csv" in str(exc.value)


def test_undecodable_bytes_name_offset(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"text\n" + "好".encode() * 10 + b"\n" + b"\xff\xfe\xfd\n")
    with pytest.raises(InputError, match=r"mixed\.csv, line 3 \(byte offset 36\): bytes b'\\xff\\xfe\\xfd\\n' are not valid utf-8"):
        read_table(path, encoding="utf-8")


def test_jsonl_errors_name_line(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "好"}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"in\.jsonl, line 2: expected a JSON object"):
        list(iter_table(path)[0])


def test_missing_and_unsupported_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_table(tmp_path / "nope.csv")
    (tmp_path / "a.doc").write_text("x")
    with pytest.raises(InputError, match="unsupported file type"):
        read_table(tmp_path / "a.doc")


def test_formula_neutralising():
    frame = pd.DataFrame({"t": ["=1+1", "+cmd", "-5", "@SUM(A1)", "\tx", "正常", "-x"], "n": [1, 2, 3, 4, 5, 6, 7]})
    out = neutralise_formulas(frame)
    assert out["t"].tolist() == ["'=1+1", "'+cmd", "-5", "'@SUM(A1)", "'\tx", "正常", "'-x"]
    assert out["n"].tolist() == frame["n"].tolist()
    assert frame["t"][0] == "=1+1"  # the input frame is not modified


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".txt", ".jsonl", ".xlsx", ".parquet"])
def test_every_format_round_trips(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    frame = ROWS if suffix != ".txt" else ROWS[["意见反馈"]].rename(columns={"意见反馈": "text"})
    with TableWriter(path, neutralise=False) as w:
        w.write(frame.iloc[:2])
        w.write(frame.iloc[2:])
        w.commit()
    if suffix == ".txt":
        # .txt output is tab-separated with a header, like .tsv (one text a line is input only)
        back = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    else:
        back = read_table(path).frame
    back = back.fillna("").astype(str)
    assert back.columns.tolist() == frame.columns.tolist()
    assert back.to_dict("list") == frame.to_dict("list")


def test_failed_write_leaves_nothing(tmp_path):
    path = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        with TableWriter(path) as w:
            w.write(ROWS)
            raise RuntimeError("boom")
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_jsonl_output_is_valid_json(tmp_path):
    path = tmp_path / "o.jsonl"
    with TableWriter(path) as w:
        w.write(pd.DataFrame({"a": [1.5, float("nan")], "b": ["x", None]}))
        w.commit()
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert rows == [{"a": 1.5, "b": "x"}, {"a": None, "b": None}]


def test_published_files_are_world_readable_and_keep_existing_mode(tmp_path):
    new = tmp_path / "new.csv"
    with TableWriter(new) as w:
        w.write(ROWS)
        w.commit()
    assert new.stat().st_mode & 0o777 == 0o644
    new.chmod(0o600)
    with TableWriter(new) as w:
        w.write(ROWS)
        w.commit()
    assert new.stat().st_mode & 0o777 == 0o600


def test_big5_is_not_mistaken_for_gb18030(tmp_path):
    # Big5 bytes are valid GB18030 too, but decode to rare characters there
    path = tmp_path / "big5.csv"
    rows = ["熱線永遠佔線，留言也沒人回", "客服態度很差，問題拖了一個月還沒處理"]
    path.write_bytes(("size,text\n" + "\n".join(f"51-200人,{t}" for t in rows) + "\n").encode("cp950"))
    assert detect_encoding(path) == "cp950"
    assert read_table(path).frame["text"].tolist() == rows
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("text\n客户经理离职后没人对接\n".encode("gbk"))
    assert detect_encoding(gbk) == "gb18030"


@pytest.mark.parametrize(
    "content, message",
    [
        ('意见反馈\n"电话打不通\n工单很慢\n客服态度差\n', r"line 2: unexpected end of data"),  # never closed
        ('id,意见反馈\n1,ok\n2,"电话"打不通\n', r"line 3: ',' expected after '\"'"),  # text after the quote
        ('id,意见反馈\n1,"多\n行"\n2,a,b\n', r"line 4: the row has more fields"),  # lines inside quotes count
        ('id,意见反馈\n1,a\n\n2,b\n', r"line 3: blank line inside the table"),
    ],
)
def test_stray_quotes_and_blank_lines_stop_with_the_line(tmp_path, content, message):
    path = tmp_path / "q.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        list(iter_table(path)[0])


def test_blank_lines_at_the_end_are_not_rows(tmp_path):
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("id,text\n1,a\n2,b\n\n\n", encoding="utf-8")
    assert read_table(csv_path).frame["id"].tolist() == ["1", "2"]
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_text('{"text": "a"}\n{"text": "b"}\n\n', encoding="utf-8")
    assert read_table(jsonl).frame["text"].tolist() == ["a", "b"]


def test_jsonl_columns_are_the_union_of_keys_whatever_their_order(tmp_path):
    path = tmp_path / "k.jsonl"
    lines = [{"id": 1, "text": "a"}, {"text": "b", "id": 2}, {"text": "c", "extra": "x"}]
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    chunks = list(iter_table(path, chunk_size=1)[0])
    assert all(list(c.columns) == ["id", "text", "extra"] for c in chunks)
    frame = pd.concat(chunks)
    assert frame["text"].tolist() == ["a", "b", "c"]
    assert frame["id"].tolist()[:2] == [1, 2]  # kept as written: not 1.0 because row 3 lacks an id
    out = tmp_path / "out.csv"
    with TableWriter(out) as writer:
        for chunk in chunks:
            writer.write(chunk)
        writer.commit()
    assert out.read_text(encoding="utf-8-sig").splitlines() == ["id,text,extra", "1,a,", "2,b,", ",c,x"]


def test_gbk_jsonl_is_read(tmp_path):
    path = tmp_path / "g.jsonl"
    path.write_bytes('{"text": "电话打不通"}\n'.encode("gbk"))
    chunks, _, encoding = iter_table(path)
    assert encoding == "gb18030" and next(chunks)["text"].tolist() == ["电话打不通"]


def test_writer_matches_later_chunks_by_column_name(tmp_path):
    out = tmp_path / "out.csv"
    with TableWriter(out) as writer:
        writer.write(pd.DataFrame({"id": ["1"], "text": ["a"]}))
        writer.write(pd.DataFrame({"text": ["b"], "id": ["2"]}, index=[1]))
        with pytest.raises(InputError, match=r"rows from 2 on have columns \['id', 'note'\]"):
            writer.write(pd.DataFrame({"id": ["3"], "note": ["c"]}, index=[2]))
        writer.commit()
    assert out.read_text(encoding="utf-8-sig").splitlines() == ["id,text", "1,a", "2,b"]


def test_writer_refuses_folders_and_unwritable_places(tmp_path, monkeypatch):
    folder = tmp_path / "out.csv"
    folder.mkdir()
    with pytest.raises(InputError, match="is a folder"):
        TableWriter(folder)

    def refuse(target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("textmine.io.temp_beside", refuse)  # as for a folder we may not write in
    with pytest.raises(InputError, match=r"out2\.csv: cannot write in folder .* \(Permission denied\)"):
        TableWriter(tmp_path / "out2.csv")


def test_unknown_encoding_is_named(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "好"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="unknown encoding 'nosuch'"):
        iter_table(path, encoding="nosuch")


def test_parquet_output_takes_mixed_json_values(tmp_path):
    pytest.importorskip("pyarrow")
    out = tmp_path / "out.parquet"
    with TableWriter(out) as writer:
        writer.write(pd.DataFrame({"score": [5, "5分"], "text": ["a", "b"]}, dtype=object))
        writer.commit()
    assert pd.read_parquet(out)["score"].tolist() == ["5", "5分"]


def test_xlsx_header_is_checked_like_a_csv_header(tmp_path):
    from openpyxl import Workbook

    def workbook(name, *rows):
        book = Workbook()
        for row in rows:
            book.active.append(row)
        book.active["H30"] = None  # a formatted but empty cell widens the used range
        book.save(tmp_path / name)
        return tmp_path / name

    frame = read_table(workbook("ok.xlsx", ["意见反馈", 5, None], ["电话打不通", "x", None])).frame
    assert list(frame.columns) == ["意见反馈", "5"] and frame["意见反馈"].tolist() == ["电话打不通"]
    with pytest.raises(InputError, match="repeats column names"):
        read_table(workbook("dup.xlsx", ["text", "text"], ["a", "b"]))
    with pytest.raises(InputError, match="empty column name"):
        read_table(workbook("unnamed.xlsx", ["text", None], ["a", "b"]))
    with pytest.raises(InputError, match="sheet is empty"):
        read_table(workbook("empty.xlsx"))


def test_old_workbooks_get_a_hint(tmp_path):
    path = tmp_path / "survey.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=r"survey\.xls: \.xls workbooks are not read; save the sheet as \.xlsx"):
        read_table(path)
