"""Save and load complaint models: a joblib file with a JSON manifest beside it.

``models/complaints.joblib`` + ``models/complaints.json``. The manifest records the format
version, label order, thresholds, metrics, library versions, the corpus fingerprint and the
model file's SHA-256. ``load`` verifies the checksum *before* unpickling, warns when the
scikit-learn/jieba versions differ from the recorded ones, and turns every failure into a
``ModelError`` that says how to rebuild the model with ``textmine train``.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import warnings
from datetime import datetime, timezone
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import atomic_path
from .corpus import file_sha256
from .errors import ModelError, ModelIntegrityError
from .taxonomy import LABELS

if TYPE_CHECKING:
    from .model import ComplaintClassifier

__all__ = ["load", "resolve_model", "save_model", "default_model_path", "read_manifest", "FORMAT_VERSION", "MODEL_NAME"]

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
MODEL_NAME = "complaints"
_VERSIONED = ("scikit-learn", "jieba", "numpy", "scipy", "pandas", "joblib", "opencc")
_REBUILD = ("rebuild it with `textmine train --corpus CORPUS --out FOLDER`, where CORPUS is a folder of "
            "labelled *.jsonl files in the labelling guide's format (one record per line: id, text, "
            "labels), e.g. corpus/ of the source checkout; then load FOLDER (see README, Retraining)")

_cache: dict[tuple[str, str], ComplaintClassifier] = {}
_lock = threading.Lock()


def library_versions() -> dict[str, str]:
    versions = {}
    for name in ("textmine",) + _VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def manifest_path(model_path: Path) -> Path:
    return model_path.with_suffix(".json")


def _candidates() -> list[Path]:
    """Where the shipped model may be: inside the installed package, then the checkout."""
    found = []
    try:
        packaged = resources.files("textmine").joinpath("models", f"{MODEL_NAME}.joblib")
        found.append(Path(str(packaged)))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - zip imports
        pass
    found.append(Path(__file__).resolve().parents[1] / "models" / f"{MODEL_NAME}.joblib")
    return found


def default_model_path() -> Path:
    """The shipped model file; ``ModelError`` naming every path tried when none exists."""
    tried = _candidates()
    for path in tried:
        if path.is_file() and manifest_path(path).is_file():
            return path
    raise ModelError(
        "no shipped model found; tried: " + ", ".join(str(p) for p in tried) + f". {_REBUILD}"
    )


def _resolve(path: str | os.PathLike[str] | None) -> Path:
    if path is None:
        return default_model_path()
    path = Path(path)
    if path.is_dir():
        path = path / f"{MODEL_NAME}.joblib"
    elif path.suffix.lower() == ".json" and path.is_file():  # the manifest: its model is beside it
        model = path.with_suffix(".joblib")
        if not model.is_file():
            raise ModelError(f"{path} is a model manifest, and its model {model.name} is not beside it; "
                             f"pass the .joblib model file or its folder. {_REBUILD}")
        path = model
    if not path.is_file():
        raise ModelError(f"model file not found: {path}. {_REBUILD}")
    if not manifest_path(path).is_file():
        raise ModelError(f"model {path} has no manifest {manifest_path(path).name} beside it. {_REBUILD}")
    return path


def read_manifest(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The manifest of the model at ``path`` (default: the shipped model)."""
    model_path = _resolve(path)
    try:
        manifest = json.loads(manifest_path(model_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read manifest {manifest_path(model_path)}: {exc}. {_REBUILD}") from exc
    where = manifest_path(model_path)
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"{where}: unsupported manifest format "
            f"{manifest.get('format_version') if isinstance(manifest, dict) else manifest!r}; {_REBUILD}"
        )
    checks = (
        ("labels", lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "a list of label ids"),
        ("model_sha256", lambda v: isinstance(v, str), "the model file's SHA-256 as a hex string"),
        ("library_versions", lambda v: v is None or isinstance(v, dict), "an object of library versions"),
        ("thresholds", lambda v: v is None or isinstance(v, dict), "an object of per-label thresholds"),
    )
    for name, valid, expected in checks:
        if not valid(manifest.get(name)):
            raise ModelError(f"{where}: field {name!r} must be {expected}, found "
                             f"{json.dumps(manifest.get(name), ensure_ascii=False)[:60]}; the manifest is "
                             f"damaged: restore it beside its model, or {_REBUILD}")
    return manifest


def load(path: str | os.PathLike[str] | None = None) -> ComplaintClassifier:
    """The shipped complaint classifier, or the one at ``path``: the ``.joblib`` file, its
    folder, or its ``.json`` manifest.

    Cached per file and checksum, so calling it again is cheap and returns the *same* object:
    every caller shares it. It is safe to share between threads (prediction does not mutate
    it), but do not change it (``set_params``, ``fit``, ``thresholds_``): that would change it
    for every other caller. Change a copy: ``copy.deepcopy(clf)`` keeps the fitted model,
    ``sklearn.base.clone(clf)`` gives an unfitted one with the same parameters.
    """
    model_path = _resolve(path)
    manifest = read_manifest(model_path)
    key = (str(model_path.resolve()), str(manifest.get("model_sha256")))
    cached = _cache.get(key)
    if cached is not None:
        return cached
    with _lock:
        cached = _cache.get(key)
        if cached is None:
            cached = _load_verified(model_path, manifest)
            _cache[key] = cached
    return cached


def resolve_model(model: Any) -> ComplaintClassifier:
    """``model`` itself when it is a classifier, else ``load(model)`` (a path or None)."""
    from .model import ComplaintClassifier

    if isinstance(model, ComplaintClassifier):
        return model
    return load(model)


def _load_verified(model_path: Path, manifest: dict[str, Any]) -> ComplaintClassifier:
    import joblib

    from .model import ComplaintClassifier

    actual = file_sha256(model_path)
    if actual != manifest.get("model_sha256"):
        raise ModelIntegrityError(
            f"{model_path}: SHA-256 {actual[:12]}… does not match the manifest "
            f"({str(manifest.get('model_sha256'))[:12]}…); refusing to unpickle it. {_REBUILD}"
        )
    if tuple(manifest.get("labels", ())) != LABELS:
        raise ModelError(f"{model_path} was trained for labels {manifest.get('labels')}, not {LABELS}. {_REBUILD}")
    recorded = manifest.get("library_versions") or {}
    current = library_versions()
    for name in ("scikit-learn", "jieba"):
        if recorded.get(name) and recorded[name] != current.get(name):
            warnings.warn(
                f"textmine model {model_path.name} was built with {name} {recorded[name]}, "
                f"this environment has {current.get(name)}; predictions may differ. {_REBUILD}",
                UserWarning,
                stacklevel=3,
            )
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*Trying to unpickle estimator.*")
            model = joblib.load(model_path)
    except Exception as exc:  # a pickle from other library versions fails in many ways
        raise ModelError(f"cannot load model {model_path} ({type(exc).__name__}: {exc}). {_REBUILD}") from None
    if not isinstance(model, ComplaintClassifier):
        raise ModelError(f"{model_path} holds a {type(model).__name__}, not a ComplaintClassifier. {_REBUILD}")
    logger.debug("loaded model %s", model_path)
    return model


def save_model(
    model: ComplaintClassifier, out_dir: str | os.PathLike[str], **manifest_fields: Any
) -> Path:
    """Write ``complaints.joblib`` and its manifest into ``out_dir`` atomically; return the path."""
    import joblib

    out = Path(out_dir)
    model_path = out / f"{MODEL_NAME}.joblib"
    with atomic_path(model_path) as tmp:
        joblib.dump(model, tmp, compress=1)
    manifest = {
        "format_version": FORMAT_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "labels": list(LABELS),
        "thresholds": {label: float(t) for label, t in zip(LABELS, model.thresholds_)},
        "library_versions": library_versions(),
        "model_file": model_path.name,
        "model_sha256": file_sha256(model_path),
        "model_bytes": model_path.stat().st_size,
        "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in model.get_params().items()
                   if k != "user_words"},
        **manifest_fields,
    }
    with atomic_path(manifest_path(model_path)) as tmp:
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    with _lock:
        for key in [k for k in _cache if k[0] == str(model_path.resolve())]:
            del _cache[key]
    return model_path
