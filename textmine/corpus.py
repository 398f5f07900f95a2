"""Labelled records: read, validate and fingerprint corpus and evaluation files.

A record follows the labelling guide: ``id``, ``text``, ``labels`` (list of label ids, possibly
empty), optional ``company_size`` and ``score`` (1-10), plus ``register`` in the corpus.
JSONL is the corpus format; CSV/TSV/XLSX with a ``labels`` column (ids joined by ``;``) are
accepted for evaluation files.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CorpusError
from .normalization import _is_missing
from .taxonomy import LABELS

__all__ = ["Record", "read_records", "read_corpus", "corpus_files", "corpus_fingerprint"]


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    labels: tuple[str, ...]
    company_size: str | None = None
    score: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def _parse_labels(value: Any, where: str) -> tuple[str, ...]:
    if _is_missing(value):
        return ()
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{where}: labels {value!r} is not valid JSON: {exc}") from exc
        else:
            value = [p.strip() for p in stripped.replace(",", ";").split(";") if p.strip()]
    if not isinstance(value, (list, tuple)):
        raise CorpusError(f"{where}: labels must be a list of label ids, found {value!r}")
    labels = []
    for label in value:
        if label not in LABELS:
            raise CorpusError(f"{where}: unknown label {label!r}; expected one of {', '.join(LABELS)}")
        if label in labels:
            raise CorpusError(f"{where}: label {label!r} given twice")
        labels.append(label)
    return tuple(sorted(labels, key=LABELS.index))


def _parse_score(value: Any, where: str) -> int | None:
    """A 1-10 integer score: an int, an integral float, or (table cells are read as text) a
    string holding one; None, NaN and "" mean no score. Bools are refused (JSON true is not 1)."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        try:
            number: Any = float(value)
        except ValueError:
            number = None
    elif _is_missing(value):
        return None
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = value
    else:
        number = None
    if number is None or not math.isfinite(number) or number != int(number) or not 1 <= number <= 10:
        raise CorpusError(f"{where}: score must be an integer 1-10 (or left empty), found {value!r}")
    return int(number)


def _record(obj: dict[str, Any], where: str, require_labels: bool) -> Record:
    if not isinstance(obj, dict):
        raise CorpusError(f"{where}: expected a JSON object, found {type(obj).__name__}")
    rid = obj.get("id")
    if rid is None or str(rid).strip() == "":
        raise CorpusError(f"{where}: missing 'id'")
    text = obj.get("text")
    if not isinstance(text, str):
        raise CorpusError(f"{where} (id {rid}): 'text' must be a string, found {text!r}")
    if "labels" not in obj and require_labels:
        raise CorpusError(f"{where} (id {rid}): missing 'labels' (use [] for no label)")
    labels = _parse_labels(obj.get("labels"), f"{where} (id {rid})")
    score = _parse_score(obj.get("score"), f"{where} (id {rid})")
    size = obj.get("company_size")
    size = None if _is_missing(size) else str(size)
    known = {"id", "text", "labels", "company_size", "score"}
    extra = {k: v for k, v in obj.items() if k not in known}
    return Record(str(rid), text, labels, size, score, extra)


def read_records(path: str | Path, *, require_labels: bool = True) -> list[Record]:
    """Records of one JSONL/CSV/TSV/XLSX file; errors name the file, line and field. JSONL must
    be UTF-8 (with or without BOM)."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"{path}: no such file")
    records: list[Record] = []
    places: list[str] = []
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        try:
            with path.open(encoding="utf-8-sig") as fh:
                for lineno, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        obj = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise CorpusError(f"{path}, line {lineno}: invalid JSON: {exc.msg}") from exc
                    records.append(_record(obj, f"{path}, line {lineno}", require_labels))
                    places.append(f"line {lineno}")
        except UnicodeDecodeError:
            raise _not_utf8(path) from None
    else:
        from .io import read_table

        frame = read_table(path).frame
        for i, obj in enumerate(frame.to_dict(orient="records")):
            records.append(_record(obj, f"{path}, row {i + 2}", require_labels))
            places.append(f"row {i + 2}")
    seen: dict[str, int] = {}
    for i, rec in enumerate(records):
        if rec.id in seen:
            raise CorpusError(f"{path}: id {rec.id!r} appears twice ({places[seen[rec.id]]} and {places[i]}); "
                              "ids must be unique, rename or remove one")
        seen[rec.id] = i
    return records


def _not_utf8(path: Path) -> CorpusError:
    """The error for a JSONL file that is not UTF-8, naming the first line that is not."""
    data = path.read_bytes()
    where = f"{path}: not valid UTF-8"
    for lineno, raw in enumerate(data.split(b"\n"), 1):  # "\n" never occurs inside a UTF-8 character
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            where = f"{path}, line {lineno} (byte {exc.start + 1} of the line): not valid UTF-8"
            break
    if b"\0" in data:
        return CorpusError(f"{where}; it does not look like a text file: pass a JSONL file "
                           "(one JSON record per line, saved as UTF-8)")
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return CorpusError(f"{where}; re-save the file as UTF-8 (in your editor: Save with encoding UTF-8)")
    return CorpusError(f"{where}; it looks GBK/GB18030-encoded: re-save it as UTF-8, e.g. "
                       f"`iconv -f GB18030 -t UTF-8 {path.name} > utf8.jsonl`")


def corpus_files(corpus: str | Path) -> list[Path]:
    """The corpus's record files: ``*.jsonl`` at the top of a folder (samples/ is not corpus)."""
    corpus = Path(corpus)
    if corpus.is_file():
        return [corpus]
    if not corpus.is_dir():
        raise CorpusError(f"{corpus}: no such folder or file; pass the folder of labelled *.jsonl "
                          "files (records with id, text and labels), or one such file")
    files = sorted(corpus.glob("*.jsonl"))
    if not files:
        raise CorpusError(f"{corpus}: no *.jsonl corpus files found")
    return files


def read_corpus(corpus: str | Path) -> list[Record]:
    """All records of a corpus folder or file; ids must be unique across files."""
    records: list[Record] = []
    owner: dict[str, Path] = {}
    for path in corpus_files(corpus):
        for rec in read_records(path):
            if rec.id in owner:
                raise CorpusError(f"id {rec.id!r} appears in both {owner[rec.id]} and {path}")
            owner[rec.id] = path
            records.append(rec)
    return records


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def corpus_fingerprint(corpus: str | Path) -> dict[str, Any]:
    """SHA-256 of every corpus file and of their concatenation (name + digest, in order)."""
    files = {path.name: file_sha256(path) for path in corpus_files(corpus)}
    combined = hashlib.sha256("".join(f"{n}:{h}\n" for n, h in files.items()).encode()).hexdigest()
    return {"files": files, "sha256": combined}


def corpus_summary(records: list[Record]) -> dict[str, dict[str, int]]:
    """Counts the datasheet reports: per label, labels per record, register, domain, length,
    size bucket and score band."""
    from collections import Counter

    from .sizes import size_bucket

    def length_band(n: int) -> str:
        return "<15" if n < 15 else "15-59" if n < 60 else "60-149" if n < 150 else "150-300"

    def score_band(s: int | None) -> str:
        return "none" if s is None else "1-3" if s <= 3 else "4-6" if s <= 6 else "7-10"

    labels = Counter(label for r in records for label in r.labels)
    return {
        "records": {"total": len(records)},
        "labels": {**{label: labels[label] for label in LABELS}, "(none)": sum(1 for r in records if not r.labels)},
        "labels_per_record": dict(sorted(Counter(str(len(r.labels)) for r in records).items())),
        "register": dict(Counter(str(r.extra.get("register")) for r in records).most_common()),
        "domain": dict(Counter(str(r.extra.get("domain")) for r in records).most_common()),
        "length": {band: n for band in ("<15", "15-59", "60-149", "150-300")
                   for n in [sum(1 for r in records if length_band(len(r.text)) == band)]},
        "size_bucket": {b: n for b in ("1-50", "51-200", "201-500", "501-1000", "1001-2000", "2000+", "unknown", "(not given)")
                        for n in [sum(1 for r in records if (size_bucket(r.company_size) if r.company_size is not None else "(not given)") == b)]},
        "score": {band: n for band in ("1-3", "4-6", "7-10", "none")
                  for n in [sum(1 for r in records if score_band(r.score) == band)]},
    }
