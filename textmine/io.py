"""Reading and writing feedback tables: formats by extension, encodings detected, atomic output.

Input formats: ``.csv``, ``.tsv``, ``.txt`` (one text per line, column ``text``), ``.jsonl``
(streamed in chunks), ``.xlsx`` and ``.parquet`` (read whole). CSV/TSV/TXT encodings are
detected among UTF-8, UTF-8 with BOM, UTF-16 with BOM (Excel's "Unicode text"), GB18030 (a
superset of GBK/GB2312) and Big5 (cp950; told apart from GB18030 by which decoding gives common
characters), with charset-normalizer as the last resort; every value is
read as text, exactly as written, so nothing is reinterpreted on the way out.

Output formats: the same set. Every writer goes to a temporary file beside the target that is
renamed over it only when writing finished, so a failed run never leaves a truncated file.
CSV/TSV/TXT are written as UTF-8 with BOM so that Excel shows Chinese correctly.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .atomic import publish, temp_beside
from .errors import InputError
from .normalization import _is_missing

__all__ = [
    "READ_FORMATS", "TableRead", "detect_encoding", "read_table", "iter_table",
    "TableWriter", "neutralise_formulas", "blank_cells",
]

READ_FORMATS = (".csv", ".tsv", ".txt", ".jsonl", ".xlsx", ".parquet")
STREAMED = (".csv", ".tsv", ".txt", ".jsonl")
_SAMPLE_BYTES = 1 << 20


@dataclass
class TableRead:
    """A table read whole, with the format and encoding that were used."""

    frame: pd.DataFrame
    format: str
    encoding: str | None


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".xls", ".xlsm", ".xlsb", ".ods", ".numbers"):
        raise InputError(f"{path}: {suffix} workbooks are not read; save the sheet as .xlsx (or as CSV UTF-8) and try again")
    if suffix not in READ_FORMATS:
        raise InputError(f"{path}: unsupported file type {suffix or '(none)'!r}; expected one of {', '.join(READ_FORMATS)}")
    return suffix


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise InputError(f"{path}: cannot open: {exc.strerror}") from exc


def detect_encoding(path: Path) -> str:
    """The text encoding of a CSV/TSV/TXT file (see module docs); raises on binary files."""
    with path.open("rb") as fh:
        sample = fh.read(_SAMPLE_BYTES)
        at_end = not fh.read(1)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise InputError(f"{path}: looks like a binary file (NUL bytes), not a text table")
    if _decodes(sample, "utf-8", at_end) is not None or _mostly_utf8(sample):
        return "utf-8"  # a few bad bytes in UTF-8 text: reading names their line, never a guess
    decoded = _decodes(sample, "gb18030", at_end)
    if decoded is not None:
        # Big5 bytes are nearly always valid GB18030 too, and decode to rare characters.
        big5 = _decodes(sample, "cp950", at_end)
        if big5 is not None and _common_share(big5) > _common_share(decoded) + 0.1:
            return "cp950"
        return "gb18030"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        raise InputError(f"{path}: cannot tell the text encoding; pass --encoding (e.g. gb18030, utf-16)")
    return best.encoding


def _decodes(sample: bytes, encoding: str, final: bool) -> str | None:
    """``sample`` decoded, or None if it is not valid ``encoding`` (a cut final character is
    allowed unless ``final``)."""
    try:
        return codecs.getincrementaldecoder(encoding)().decode(sample, final=final)
    except UnicodeDecodeError:
        return None


def _mostly_utf8(sample: bytes) -> bool:
    """UTF-8 text with a few damaged bytes (at most 1 % of its non-ASCII bytes). GBK text fails
    UTF-8 on nearly every character; damaged UTF-8 would often pass as GB18030 gibberish."""
    damaged = sample.decode("utf-8", errors="replace").count("\ufffd")
    non_ascii = sum(byte >= 0x80 for byte in sample)
    return damaged <= max(1, non_ascii // 100)


def _common_share(text: str) -> float:
    """Share of the Chinese characters in ``text`` that are common ones: in GB2312 once
    converted to Simplified. Text decoded with the wrong Chinese encoding scores low."""
    from .normalization import to_simplified

    chars = [c for c in to_simplified(text[:20_000]) if "\u4e00" <= c <= "\u9fff"]
    if not chars:
        return 1.0
    common = 0
    for char in chars:
        try:
            char.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(chars)


def _decode_error(path: Path, encoding: str, exc: UnicodeDecodeError) -> InputError:
    """Name the line, byte offset and bytes of the first undecodable sequence in ``path``."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    where, found = "", b""
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                decoder.decode(raw)
            except UnicodeDecodeError as line_exc:
                found = raw[line_exc.start : line_exc.start + 4]
                where = f", line {lineno} (byte offset {offset + line_exc.start})"
                break
            offset += len(raw)
    return InputError(
        f"{path}{where}: bytes {found!r} are not valid {encoding} ({exc.reason}); "
        f"pass --encoding with the file's real encoding (utf-8, gb18030, utf-16)"
    )


def iter_table(
    path: str | Path,
    *,
    chunk_size: int = 5000,
    encoding: str | None = None,
    sheet: str | None = None,
) -> tuple[Iterator[pd.DataFrame], str, str | None]:
    """``(chunks, format, encoding)``: the table as DataFrames of at most ``chunk_size`` rows.

    CSV/TSV/TXT/JSONL are streamed; XLSX and Parquet are read whole and then sliced. Every
    chunk keeps the row numbers of the file in its index (0 = first data row).
    """
    path = Path(path)
    fmt = _format_of(path)
    _check_readable(path)
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty")
    if fmt in (".csv", ".tsv", ".txt"):
        enc = encoding or detect_encoding(path)
        try:
            codecs.lookup(enc)
        except LookupError:
            raise InputError(f"unknown encoding {enc!r}") from None
        return _iter_delimited(path, fmt, enc, chunk_size), fmt, enc
    if fmt == ".jsonl":
        enc = encoding or detect_encoding(path)
        try:
            codecs.lookup(enc)
        except LookupError:
            raise InputError(f"unknown encoding {enc!r}") from None
        read_as = "utf-8-sig" if enc == "utf-8" else enc  # tolerate a BOM
        columns = _jsonl_columns(path, read_as)
        return _iter_jsonl(path, chunk_size, read_as, columns), fmt, enc
    frame = read_table(path, sheet=sheet).frame
    return (frame.iloc[i : i + chunk_size] for i in range(0, max(len(frame), 1), chunk_size)), fmt, None


def _iter_delimited(path: Path, fmt: str, encoding: str, chunk_size: int) -> Iterator[pd.DataFrame]:
    """Rows as text, exactly as written; ragged rows, stray quotes and bad bytes stop with the
    line number (the physical line where the row starts, counting lines inside quoted cells).

    Python's C-implemented ``csv`` reader is used rather than ``pandas.read_csv`` because pandas
    silently pads short rows, and every row must have the header's number of fields.
    """
    line = 1  # physical line where the current row starts
    try:
        with path.open(encoding=encoding, newline="" if fmt != ".txt" else None) as fh:
            if fmt == ".txt":
                header = ["text"]
                numbered: Iterator[tuple[int, list[str]]] = (
                    (n, [ln.rstrip("\r\n")]) for n, ln in enumerate(fh, 1)
                )
            else:
                reader = csv.reader(fh, delimiter="\t" if fmt == ".tsv" else ",", strict=True)
                header = next(reader, None) or []
                if not header:
                    raise InputError(f"{path}: the file is empty")
                _check_header(path, header)
                numbered = _with_start_lines(reader)
            rows: list[list[str]] = []
            start = 0
            blank_at = 0  # first blank line not yet followed by a row (allowed only at the end)
            for line, row in numbered:
                if not row and fmt != ".txt":
                    blank_at = blank_at or line
                    continue
                if blank_at:
                    raise InputError(f"{path}, line {blank_at}: blank line inside the table")
                if len(row) != len(header):
                    kind = "fewer" if len(row) < len(header) else "more"
                    raise InputError(
                        f"{path}, line {line}: the row has {kind} fields ({len(row)}) than the header "
                        f"({len(header)}): {_preview(row)}; fix the row or quote fields that contain the separator"
                    )
                rows.append(row)
                if len(rows) == chunk_size:
                    yield pd.DataFrame(rows, columns=header, index=range(start, start + len(rows)))
                    start += len(rows)
                    rows = []
            if rows:
                yield pd.DataFrame(rows, columns=header, index=range(start, start + len(rows)))
            elif start == 0:
                raise InputError(f"{path}: the file has a header but no rows")
    except UnicodeDecodeError as exc:
        raise _decode_error(path, encoding, exc) from None
    except _RowError as exc:
        limit = csv.field_size_limit()
        raise InputError(
            f"{path}, line {exc.line}: {exc.reason} (a quote opened in this row is not closed properly, "
            f"or a cell exceeds {limit} characters); a quoted cell must end with a quote followed by the separator"
        ) from None


class _RowError(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


def _with_start_lines(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """``(first physical line, row)`` for each row of a ``csv.reader`` past its header."""
    while True:
        first = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _RowError(first, str(exc)) from None
        yield first, row


def _blank(value: Any) -> bool:
    return _is_missing(value) or not str(value).strip()


def _header_text(value: Any) -> str:
    """A header cell as text; whole numbers without ``.0`` (a cell typed 5 is header "5")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _preview(row: list[str]) -> str:
    text = ",".join(row)
    return repr(text[:60] + ("…" if len(text) > 60 else ""))


def _check_header(path: Path, columns: list[str]) -> None:
    unnamed = [c for c in columns if not str(c).strip()]
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if unnamed:
        raise InputError(f"{path}: the header has {len(unnamed)} empty column name(s); name every column")
    if duplicated:
        raise InputError(f"{path}: the header repeats column names ({', '.join(map(str, duplicated))})")


def _jsonl_objects(path: Path, encoding: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each line; bad lines stop with the line number. Blank
    lines are allowed only at the end of the file."""
    blank_at = 0
    try:
        with path.open(encoding=encoding) as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    blank_at = blank_at or lineno
                    continue
                if blank_at:
                    raise InputError(f"{path}, line {blank_at}: blank line; every line must hold one JSON object")
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}, line {lineno}: invalid JSON ({exc.msg}): {line[:60]!r}") from None
                if not isinstance(obj, dict):
                    raise InputError(f"{path}, line {lineno}: expected a JSON object, found {type(obj).__name__}")
                yield lineno, obj
    except UnicodeDecodeError as exc:
        raise _decode_error(path, encoding, exc) from None


def _jsonl_columns(path: Path, encoding: str) -> list[str]:
    """Every key used in the file, in order of first appearance. Read before streaming so that
    each chunk has the same columns in the same order, whatever order each line's keys are in;
    it also finds a bad line before any work is done."""
    columns: dict[str, None] = {}
    for _, obj in _jsonl_objects(path, encoding):
        for key in obj:
            columns.setdefault(key, None)
    return list(columns)


def _iter_jsonl(path: Path, chunk_size: int, encoding: str, columns: list[str]) -> Iterator[pd.DataFrame]:
    rows: list[dict[str, Any]] = []
    start = 0
    for _, obj in _jsonl_objects(path, encoding):
        rows.append(obj)
        if len(rows) == chunk_size:
            yield pd.DataFrame(rows, index=range(start, start + len(rows)), columns=columns, dtype=object)
            start += len(rows)
            rows = []
    if rows or start == 0:
        yield pd.DataFrame(rows, index=range(start, start + len(rows)), columns=columns, dtype=object)


def read_table(path: str | Path, *, sheet: str | None = None, encoding: str | None = None) -> TableRead:
    """Read a whole table (any supported format)."""
    path = Path(path)
    fmt = _format_of(path)
    _check_readable(path)
    if fmt == ".xlsx":
        try:
            grid = pd.read_excel(path, sheet_name=sheet or 0, dtype=object, engine="openpyxl", header=None)
        except ValueError as exc:
            raise InputError(f"{path}: {exc}") from None
        except Exception as exc:  # openpyxl raises many types on corrupt files
            raise InputError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
        # Excel's used range often includes formatted but empty columns and trailing rows
        blank = grid.apply(lambda column: column.map(_blank))  # DataFrame.map needs pandas 2.1
        grid = grid.loc[:, ~blank.all(axis=0)]
        filled = ~blank.loc[:, grid.columns].all(axis=1)
        grid = grid.iloc[: (filled.to_numpy().nonzero()[0].max() + 1) if filled.any() else 0]
        if grid.empty:
            raise InputError(f"{path}: the sheet is empty")
        # the first row is the header, checked as a CSV header is (pandas would rename repeats)
        header = ["" if _blank(v) else _header_text(v) for v in grid.iloc[0]]
        _check_header(path, header)
        frame = grid.iloc[1:].set_axis(header, axis=1).reset_index(drop=True)
        return TableRead(frame, fmt, None)
    if fmt == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except ImportError:
            raise InputError("reading .parquet needs pyarrow: pip install 'textmine[parquet]'") from None
        except Exception as exc:
            raise InputError(f"{path}: not a readable Parquet file ({type(exc).__name__}: {exc})") from None
        return TableRead(frame, fmt, None)
    chunks, fmt, enc = iter_table(path, chunk_size=100_000, encoding=encoding)
    parts = list(chunks)
    return TableRead(pd.concat(parts) if parts else pd.DataFrame(), fmt, enc)


# --- writing --------------------------------------------------------------------------------------
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _looks_numeric(value: str) -> bool:
    try:
        float(value)
        return True
    except ValueError:
        return False


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix ``'`` to text cells that a spreadsheet would run as a formula.

    Cells starting with ``= + - @``, tab or carriage return are neutralised unless they are
    plain numbers (``-5`` stays ``-5``).
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) and not _looks_numeric(v) else v
            )
    return out


class TableWriter:
    """Write DataFrame chunks to ``path`` by extension; the file appears only on ``commit()``.

    Use as a context manager: leaving the block with an exception deletes the temporary file
    and leaves any existing ``path`` untouched.
    """

    def __init__(self, path: str | Path, *, neutralise: bool = True) -> None:
        self.path = Path(path)
        self.format = self.path.suffix.lower()
        if self.format not in READ_FORMATS:
            raise InputError(f"{self.path}: unsupported output type {self.format or '(none)'!r}; expected one of {', '.join(READ_FORMATS)}")
        if not self.path.parent.exists():
            raise InputError(f"{self.path}: folder {self.path.parent} does not exist")
        if self.path.is_dir():
            raise InputError(f"{self.path}: is a folder; name an output file inside it")
        self.neutralise = neutralise and self.format in (".csv", ".tsv", ".txt", ".xlsx")
        try:
            self.tmp = temp_beside(self.path)
        except OSError as exc:
            raise InputError(f"{self.path}: cannot write in folder {self.path.parent} ({exc.strerror})") from None
        self._handle: Any = None
        self._columns: list[str] | None = None
        self.rows = 0

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            self.abort()

    def write(self, chunk: pd.DataFrame) -> None:
        """Append ``chunk``; its columns must be the first chunk's (matched by name)."""
        if self._columns is None:
            self._columns = [str(c) for c in chunk.columns]
            self._open(chunk)
        elif (names := [str(c) for c in chunk.columns]) != self._columns:
            if sorted(names) != sorted(self._columns):
                raise InputError(
                    f"{self.path}: rows from {chunk.index[0] if len(chunk) else '?'} on have columns "
                    f"{names}, but the output was started with {self._columns}"
                )
            chunk = chunk.set_axis(names, axis=1)[self._columns]
        if self.neutralise:
            chunk = neutralise_formulas(chunk)
        fmt = self.format
        if fmt in (".csv", ".tsv", ".txt"):
            chunk.to_csv(self._handle, sep="," if fmt == ".csv" else "\t", index=False,
                         header=self.rows == 0, lineterminator="\r\n" if fmt == ".csv" else "\n")
        elif fmt == ".jsonl":
            for record in chunk.to_dict(orient="records"):
                self._handle.write(json.dumps(_jsonable(record), ensure_ascii=False) + "\n")
        elif fmt == ".xlsx":
            for row in chunk.itertuples(index=False):
                self._sheet.append([_cell(v) for v in row])
        elif fmt == ".parquet":
            import pyarrow as pa

            try:
                table = pa.Table.from_pandas(_uniform_objects(chunk.reset_index(drop=True)), preserve_index=False)
            except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                raise InputError(f"{self.path}: cannot store these rows in Parquet ({exc})") from None
            if self._handle is None:
                import pyarrow.parquet as pq

                self._schema = table.schema
                self._handle = pq.ParquetWriter(self.tmp, self._schema)
            try:
                self._handle.write_table(table.cast(self._schema))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError) as exc:
                raise InputError(
                    f"{self.path}: rows from {chunk.index[0]} on do not fit the column types of the first rows "
                    f"({exc}); write .csv or .jsonl instead, which keep mixed values"
                ) from None
        self.rows += len(chunk)

    def _open(self, chunk: pd.DataFrame) -> None:
        fmt = self.format
        if fmt in (".csv", ".tsv", ".txt"):
            self._handle = self.tmp.open("w", encoding="utf-8-sig", newline="")
        elif fmt == ".jsonl":
            self._handle = self.tmp.open("w", encoding="utf-8", newline="\n")
        elif fmt == ".xlsx":
            from openpyxl import Workbook

            self._book = Workbook(write_only=True)
            self._sheet = self._book.create_sheet("labels")
            self._sheet.append(self._columns)
        elif fmt == ".parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise InputError("writing .parquet needs pyarrow: pip install 'textmine[parquet]'") from None

    def commit(self) -> None:
        """Finish the file and move it into place."""
        if self._columns is None:
            raise InputError(f"{self.path}: nothing to write")
        try:
            if self.format == ".xlsx":
                self._book.save(self.tmp)
                self._book = None
            elif self._handle is not None:
                self._handle.close()
            publish(self.tmp, self.path)
        except OSError as exc:
            raise InputError(f"{self.path}: cannot write the output ({exc.strerror or exc})") from None

    def abort(self) -> None:
        try:
            if self._handle is not None:
                self._handle.close()
            if getattr(self, "_book", None) is not None:
                self._book.close()  # releases the write-only sheet's temporary file
        finally:
            self.tmp.unlink(missing_ok=True)


def _uniform_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns whose values mix types (``5`` and ``"5分"`` in JSONL) as strings, so that
    Parquet, which needs one type per column, can store them."""
    out = frame
    for col in frame.columns:
        if frame[col].dtype == object:
            kinds = {type(v) for v in frame[col] if not _is_missing(v)}
            if len(kinds) > 1:
                out = out if out is not frame else frame.copy()
                out[col] = frame[col].map(lambda v: v if _is_missing(v) else str(v))
    return out


def blank_cells(values: pd.Series) -> pd.Series:
    """True where a cell is missing or only whitespace."""
    missing = values.isna()
    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return missing
    return missing | values.astype("string").str.strip().eq("").fillna(False).astype(bool)


def _cell(value: Any) -> Any:
    if _is_missing(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, str):
        # openpyxl refuses control characters; drop them rather than fail the whole file
        return "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 32)
    return value


def _jsonable(record: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in record.items():
        if _is_missing(value):
            value = None
        elif hasattr(value, "item"):
            value = value.item()
        out[str(key)] = value
    return out
