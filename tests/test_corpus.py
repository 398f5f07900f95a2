"""The labelled corpus meets the balance, diversity and hygiene figures of its datasheet."""

import json
import re
import unicodedata
from collections import Counter, defaultdict

import pytest

from textmine import LABELS
from textmine.corpus import CorpusError, corpus_files, read_records

from .conftest import REPO, SHARED

REGISTERS = {"survey", "chat", "ticket", "email", "call_note", "forum", "meeting_minutes",
             "app_review", "social_post", "review"}


def _grams(text, n=5):
    text = re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text))
    return {text[i:i + n] for i in range(max(1, len(text) - n + 1))}


def near_duplicate_pairs(texts_a, texts_b=None, threshold=0.7):
    """Pairs (i, j) whose character 5-gram sets have Jaccard similarity >= threshold."""
    ga = [_grams(t) for t in texts_a]
    gb = ga if texts_b is None else [_grams(t) for t in texts_b]
    index = defaultdict(list)
    for j, g in enumerate(gb):
        for x in g:
            index[x].append(j)
    pairs = []
    for i, g in enumerate(ga):
        shared = Counter(j for x in g for j in index[x])
        for j, c in shared.items():
            if (texts_b is None and j <= i) or c / (len(g) + len(gb[j]) - c) < threshold:
                continue
            pairs.append((i, j))
    return pairs


HELDOUT = REPO / "corpus/heldout/heldout_writers.jsonl"


@pytest.fixture(scope="module")
def heldout_records():
    return read_records(HELDOUT)


@pytest.mark.parametrize("which", ["corpus", "heldout"])
def test_schema_ids_labels(corpus_records, heldout_records, which):
    records, paths = ((corpus_records, corpus_files(REPO / "corpus")) if which == "corpus"
                      else (heldout_records, [HELDOUT]))
    ids = [r.id for r in records]
    assert len(ids) == len(set(ids))
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            obj = json.loads(line)
            assert {"id", "text", "labels", "company_size", "score", "register"} <= set(obj), obj["id"]
            assert obj["register"] in REGISTERS, obj["id"]
            assert isinstance(obj["labels"], list) and set(obj["labels"]) <= set(LABELS), obj["id"]
            assert obj["score"] is None or (isinstance(obj["score"], int) and 1 <= obj["score"] <= 10)
            assert 0 < len(obj["text"]) <= 300, obj["id"]


def test_balance(corpus_records):
    n = len(corpus_records)
    assert n >= 4000
    counts = Counter(label for r in corpus_records for label in r.labels)
    for label in LABELS:
        assert counts[label] >= 500, (label, counts[label])
    unlabelled = [r for r in corpus_records if not r.labels]
    assert len(unlabelled) >= 1000
    multi = sum(1 for r in corpus_records if len(r.labels) >= 2)
    assert multi / n >= 0.25
    # hard negatives: unlabelled texts that talk about the service or carry a label cue, so a
    # keyword approach would tag them (praise, negated complaints, hearsay, ...)
    from textmine.features import CueCounter
    from textmine.normalization import normalize

    cues = CueCounter()
    service = re.compile("客服|售后|技术支持|工程师|热线|工单|回复|响应|师傅|前台|实施|顾问|对接|维修|服务|电话")
    texts = [normalize(r.text) for r in unlabelled]
    hard = [t for t, hits in zip(texts, cues(texts)) if hits.sum() > 0 or service.search(t)]
    assert len(hard) >= max(500, len(unlabelled) / 2), len(hard)


def test_boundary_pairs_covered(corpus_records):
    pairs = Counter(frozenset(p) for r in corpus_records for p in
                    [(a, b) for i, a in enumerate(r.labels) for b in r.labels[i + 1:]])
    for a, b in [("speed", "cycle"), ("cycle", "efficiency"), ("capability", "efficiency"),
                 ("channel", "speed"), ("capability", "communication")]:
        assert pairs[frozenset((a, b))] >= 50, (a, b)


def test_diversity(corpus_records):
    n = len(corpus_records)
    domains = Counter(r.extra["domain"] for r in corpus_records)
    other = n - domains["enterprise"]
    assert 0.2 <= other / n <= 0.35, domains
    from textmine.normalization import _converter

    t2s = _converter("t2s")
    traditional = sum(1 for r in corpus_records if len(r.text) >= 4 and
                      sum(a != b for a, b in zip(r.text, t2s.convert(r.text))) >= 2)
    assert traditional / n >= 0.03, traditional
    lengths = [len(r.text) for r in corpus_records]
    assert min(lengths) <= 6 and max(lengths) >= 200
    assert len({r.extra["register"] for r in corpus_records}) >= 8
    from textmine import size_bucket

    buckets = Counter(size_bucket(r.company_size) for r in corpus_records if r.company_size)
    assert all(buckets[b] >= 50 for b in ("1-50", "51-200", "201-500", "501-1000", "1001-2000", "2000+")), buckets


def test_near_duplicate_rate(corpus_records):
    pairs = near_duplicate_pairs([r.text for r in corpus_records])
    assert len(pairs) / len(corpus_records) <= 0.005, [(corpus_records[i].id, corpus_records[j].id) for i, j in pairs[:10]]


def test_heldout_writers_are_apart_from_the_corpus(corpus_records, heldout_records):
    """The held-out writers measure how the model does on writing it never saw: `textmine
    train` does not read them, and no id, text or near-copy is shared with the corpus."""
    assert HELDOUT not in corpus_files(REPO / "corpus")
    assert {r.id for r in heldout_records}.isdisjoint(r.id for r in corpus_records)
    heldout_texts = [r.text for r in heldout_records]
    assert not near_duplicate_pairs(heldout_texts, [r.text for r in corpus_records])
    assert not near_duplicate_pairs(heldout_texts)


@pytest.mark.skipif(not (SHARED / "eval").is_dir(), reason="shared/eval is not present")
@pytest.mark.parametrize("which", ["corpus", "heldout"])
def test_no_overlap_with_evaluation_data(corpus_records, heldout_records, which):
    records = corpus_records if which == "corpus" else heldout_records
    eval_texts = []
    for path in (SHARED / "eval").glob("*.jsonl"):
        eval_texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [r.text for r in records]
    assert set(texts).isdisjoint(eval_texts)
    pairs = near_duplicate_pairs(texts, eval_texts, threshold=0.5)
    assert not pairs, [(records[i].id, eval_texts[j][:30]) for i, j in pairs[:5]]


def test_reader_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "好", "labels": []}\n{"id": "b", "text": "差", "labels": ["slow"]}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"bad\.jsonl, line 2 \(id b\): unknown label 'slow'"):
        read_records(bad)
    bad.write_text('{"id": "a", "text": "好", "labels": []}\nnot json\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"line 2: invalid JSON"):
        read_records(bad)
    bad.write_text('{"id": "a", "text": "好", "labels": [], "score": 11}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="score must be an integer 1-10"):
        read_records(bad)


def test_datasheet_counts_match_the_files(corpus_records):
    from textmine.corpus import corpus_summary

    sheet = (REPO / "corpus" / "README.md").read_text(encoding="utf-8")
    sections = re.split(r"^#### ", sheet, flags=re.M)[1:]
    tables = {}
    for section in sections:
        name, body = section.split("\n", 1)
        tables[name.strip()] = dict(re.findall(r"^\| (.+?) \| (\d+) \|$", body, flags=re.M))
    summary = corpus_summary(corpus_records)
    assert set(tables) == set(summary)
    for name, counts in summary.items():
        assert {k: int(v) for k, v in tables[name].items()} == counts, name


def cohen_kappa(a, c):
    n = len(a)
    po = sum(x == y for x, y in zip(a, c)) / n
    pa, pc = sum(a) / n, sum(c) / n
    pe = pa * pc + (1 - pa) * (1 - pc)
    return (po - pe) / (1 - pe)


def read_quality(name):
    text = (REPO / "corpus/quality" / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_blind_relabel_agreement(corpus_records):
    by_id = {r.id: r for r in corpus_records}
    blind = read_quality("blind_relabel.jsonl")
    assert len(blind) >= 0.1 * len(corpus_records) - 1
    for label in LABELS:
        kappa = cohen_kappa([label in by_id[b["id"]].labels for b in blind], [label in b["labels"] for b in blind])
        assert kappa >= 0.9, (label, kappa)


@pytest.mark.parametrize("which", ["corpus", "heldout"])
def test_labels_are_the_double_blind_majority(corpus_records, heldout_records, which):
    """Two annotators labelled every record again from text and guide alone; a label stands
    when at least two of writer, annotator a and annotator b give it."""
    records, votes_file = ((corpus_records, "double_blind.jsonl") if which == "corpus"
                           else (heldout_records, "heldout_double_blind.jsonl"))
    by_id = {r.id: r for r in records}
    rows = read_quality(votes_file)
    assert [row["id"] for row in rows] == sorted(by_id)
    for row in rows:
        votes = Counter(label for who in ("writer", "a", "b") for label in set(row[who]))
        assert set(by_id[row["id"]].labels) == {label for label, n in votes.items() if n >= 2}, row["id"]
    for label in LABELS:  # the two annotators agree with each other well beyond chance
        kappa = cohen_kappa([label in row["a"] for row in rows], [label in row["b"] for row in rows])
        assert kappa >= 0.85, (label, kappa)


def test_non_utf8_files_name_the_line_and_say_how_to_fix(tmp_path):
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes('{"id": "a", "text": "ok", "labels": []}\n{"id": "b", "text": "电话打不通", "labels": []}\n'.encode("gbk"))
    with pytest.raises(CorpusError, match=r"gbk\.jsonl, line 2 .*not valid UTF-8; it looks GBK/GB18030-encoded: re-save it as UTF-8"):
        read_records(gbk)
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\x1f\x8b\x08\x00\xff\x00\x00\x00")
    with pytest.raises(CorpusError, match=r"binary\.jsonl, line 1 .*not look like a text file"):
        read_records(binary)


def test_duplicate_ids_name_their_lines(tmp_path):
    path = tmp_path / "dup.jsonl"
    path.write_text('{"id": "a", "text": "好", "labels": []}\n\n{"id": "a", "text": "差", "labels": []}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"dup\.jsonl: id 'a' appears twice \(line 1 and line 3\)"):
        read_records(path)
    table = tmp_path / "dup.csv"
    table.write_text("id,text,labels\na,好,\nb,差,\na,坏,\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"id 'a' appears twice \(row 2 and row 4\)"):
        read_records(table)


def test_a_missing_corpus_folder_is_named_as_missing(tmp_path):
    with pytest.raises(CorpusError, match="no such folder or file"):
        corpus_files(tmp_path / "nope")
    with pytest.raises(CorpusError, match=r"no \*\.jsonl corpus files found"):
        corpus_files(tmp_path)


@pytest.mark.parametrize("score", [True, False, 0, 11, 7.5, "x", "inf", [7]])
def test_scores_must_be_integers_1_to_10(tmp_path, score):
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "好", "labels": [], "score": score}) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="score must be an integer 1-10"):
        read_records(path)


def test_scores_in_tables_are_read_from_text(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("id,text,labels,score\na,电话打不通,channel,7\nb,好,,\nc,差,, 3 \n", encoding="utf-8")
    assert [r.score for r in read_records(path)] == [7, None, 3]


def test_an_empty_evaluation_file_is_an_error(tmp_path):
    from textmine.evaluation import evaluate_file

    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"empty\.jsonl: no records to evaluate on"):
        evaluate_file(None, path)
