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
