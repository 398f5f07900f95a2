import json
import shutil
import warnings

import pytest

import textmine
from textmine.corpus import corpus_fingerprint
from textmine.errors import ModelError, ModelIntegrityError
from textmine.persistence import default_model_path, load, read_manifest

from .conftest import REPO


def test_training_report_and_manifest(small_model, small_corpus):
    out, report = small_model
    manifest = read_manifest(out)
    assert manifest["labels"] == list(textmine.LABELS)
    assert set(manifest["thresholds"]) == set(textmine.LABELS)
    assert manifest["corpus"]["sha256"] == corpus_fingerprint(small_corpus)["sha256"]
    assert manifest["library_versions"]["scikit-learn"]
    cv = report["cross_validation"]
    assert set(cv["per_label"]) == set(textmine.LABELS)
    assert 0.0 <= cv["macro_f1"] <= 1.0
    assert manifest["metrics"]["cross_validation"]["macro_f1"] == cv["macro_f1"]


def test_training_is_deterministic(small_model, small_corpus, tmp_path):
    from textmine.train import TrainingOptions, train

    out, _ = small_model
    again = tmp_path / "again"
    train(TrainingOptions(corpus=small_corpus, out=again, folds=3))
    a, b = load(out), load(again)
    texts = ["热线永远占线，留言也没人回", "回复挺快但拖了一个月"]
    assert (a.predict_proba(texts).to_numpy() == b.predict_proba(texts).to_numpy()).all()
    assert read_manifest(out)["thresholds"] == read_manifest(again)["thresholds"]


def test_load_is_cached(small_model):
    out, _ = small_model
    assert load(out) is load(out / "complaints.joblib")


def test_tampered_model_is_refused(small_model, tmp_path):
    out, _ = small_model
    copy = tmp_path / "tampered"
    shutil.copytree(out, copy)
    with (copy / "complaints.joblib").open("ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelIntegrityError, match="does not match the manifest"):
        load(copy)


def test_unloadable_model_gives_rebuild_hint(small_model, tmp_path):
    from textmine.corpus import file_sha256

    copy = tmp_path / "garbage"
    shutil.copytree(small_model[0], copy)
    (copy / "complaints.joblib").write_bytes(b"not a pickle")
    manifest = json.loads((copy / "complaints.json").read_text())
    manifest["model_sha256"] = file_sha256(copy / "complaints.joblib")
    (copy / "complaints.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="textmine train") as exc:
        load(copy)
    assert "Traceback" not in str(exc.value)


def test_version_mismatch_warns(small_model, tmp_path):
    copy = tmp_path / "old"
    shutil.copytree(small_model[0], copy)
    manifest = json.loads((copy / "complaints.json").read_text())
    manifest["library_versions"]["scikit-learn"] = "0.0.1"
    (copy / "complaints.json").write_text(json.dumps(manifest))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load(copy)
    assert any("scikit-learn 0.0.1" in str(w.message) for w in caught)


def test_missing_model_names_paths_tried(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load(tmp_path / "nothing.joblib")


def test_shipped_model_is_not_stale():
    """Fails when the corpus changed but models/ was not retrained from it."""
    manifest = read_manifest(default_model_path())
    current = corpus_fingerprint(REPO / "corpus")
    assert manifest["corpus"]["files"] == current["files"], (
        "corpus/ changed since the shipped model was trained: run `textmine train`"
    )
    assert manifest["corpus"]["sha256"] == current["sha256"]


# --- loading edge cases ------------------------------------------------------------------------
def test_the_manifest_path_loads_its_model(small_model, tmp_path):
    out, _ = small_model
    assert load(out / "complaints.json") is load(out)
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(out / "complaints.json", alone)
    with pytest.raises(ModelError, match="is a model manifest.*pass the .joblib model file or its folder"):
        load(alone / "complaints.json")


@pytest.mark.parametrize("field, value", [
    ("library_versions", "x"), ("labels", None), ("labels", "channel"), ("model_sha256", None),
    ("thresholds", [0.5]),
])
def test_damaged_manifest_fields_give_a_model_error(small_model, tmp_path, field, value):
    copy = tmp_path / "damaged"
    shutil.copytree(small_model[0], copy)
    manifest = json.loads((copy / "complaints.json").read_text())
    manifest[field] = value
    (copy / "complaints.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match=f"field '{field}' must be"):
        load(copy)


def test_rebuild_hint_explains_what_a_corpus_is(tmp_path):
    with pytest.raises(ModelError) as exc:
        load(tmp_path / "nothing.joblib")
    assert "textmine train" in str(exc.value) and "*.jsonl" in str(exc.value)
    assert "id, text, labels" in str(exc.value)


def test_load_documents_that_the_cached_model_is_shared():
    assert "deepcopy" in load.__doc__ and "clone" in load.__doc__


# --- training checks its inputs before the slow fit ----------------------------------------------
@pytest.fixture
def no_fit(monkeypatch):
    """Make fitting fail loudly: a check that passes this ran before the fit."""
    from textmine.model import ComplaintClassifier

    def fit(self, X, y):
        raise AssertionError("the model was fitted before the inputs were checked")

    monkeypatch.setattr(ComplaintClassifier, "fit", fit)


def _write_jsonl(path, rows, encoding="utf-8"):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding=encoding)
    return path


def test_train_refuses_an_output_that_is_a_file_before_fitting(small_corpus, tmp_path, no_fit):
    from textmine.errors import InputError
    from textmine.train import TrainingOptions, train

    a_file = tmp_path / "models"
    a_file.write_text("not a folder")
    with pytest.raises(InputError, match="is a file, but the output .*must be a folder"):
        train(TrainingOptions(corpus=small_corpus, out=a_file, folds=3))
    with pytest.raises(InputError, match="cannot create the output folder"):
        train(TrainingOptions(corpus=small_corpus, out=a_file / "sub", folds=3))


def test_train_reads_every_evaluation_file_before_fitting(small_corpus, tmp_path, no_fit):
    from textmine.errors import InputError
    from textmine.train import TrainingOptions, train

    good = _write_jsonl(tmp_path / "good.jsonl", [{"id": "a", "text": "电话打不通", "labels": ["channel"]}])
    bad = _write_jsonl(tmp_path / "bad.jsonl", [{"id": "a", "text": "电话打不通", "labels": ["slow"]}])
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    gbk = _write_jsonl(tmp_path / "gbk.jsonl", [{"id": "a", "text": "电话打不通", "labels": []}], "gbk")
    for path, match in [(bad, "unknown label 'slow'"), (empty, "no records to evaluate on"),
                        (gbk, r"gbk\.jsonl, line 1 .*not valid UTF-8")]:
        with pytest.raises(InputError, match=match):
            train(TrainingOptions(corpus=small_corpus, out=tmp_path / "m", eval=[good, path], folds=3))
    assert not (tmp_path / "m").exists()


def test_train_names_a_label_with_too_few_positives(tmp_path, no_fit):
    from textmine.errors import InputError
    from textmine.train import TrainingOptions, train

    rows = [{"id": str(i), "text": f"电话打不通{i}", "labels": ["channel", "speed", "capability", "efficiency",
                                                            "communication"] + (["cycle"] if i == 0 else [])}
            for i in range(12)]
    corpus = _write_jsonl(tmp_path / "corpus.jsonl", rows)
    with pytest.raises(InputError, match=r"corpus\.jsonl: too few records with label 'cycle' \(1\)"):
        train(TrainingOptions(corpus=corpus, out=tmp_path / "m", folds=2))


def test_cli_train_and_evaluate_report_errors_without_a_traceback(small_corpus, tmp_path, capsys, no_fit):
    from textmine.cli import main

    a_file = tmp_path / "out"
    a_file.write_text("")
    gbk = _write_jsonl(tmp_path / "gbk.jsonl", [{"id": "a", "text": "电话打不通", "labels": []}], "gbk")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    for argv, match in [
        (["train", "--corpus", str(small_corpus), "--out", str(a_file)], "must be a folder"),
        (["train", "--corpus", str(gbk), "--out", str(tmp_path / "m")], "not valid UTF-8"),
        (["train", "--corpus", str(tmp_path / "missing"), "--out", str(tmp_path / "m")], "no such folder"),
        (["evaluate", str(gbk)], "re-save it as UTF-8"),
        (["evaluate", str(empty)], "no records to evaluate on"),
        (["train", "--corpus", str(small_corpus), "--out", str(tmp_path / "m"), "--jobs", "0"], "jobs must be a number"),
    ]:
        assert main(argv) == 1, argv
        err = capsys.readouterr().err
        assert match in err and "Traceback" not in err, (argv, err)
