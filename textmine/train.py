"""Retrain the complaint classifier from the labelled corpus: ``textmine train``.

Deterministic (fixed seeds), reports k-fold cross-validated scores on the corpus and scores on
each ``--eval`` file, and writes ``complaints.joblib`` plus its manifest. Also runnable as
``python -m textmine.train``.

Cross-validated figures are honest: the decision thresholds applied to each fold are tuned on
the *other* folds' out-of-fold probabilities, never on the fold being scored.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .corpus import corpus_fingerprint, read_corpus
from .errors import InputError, check_jobs
from .taxonomy import LABELS

__all__ = ["TrainingOptions", "train", "check_output_folder", "main"]

logger = logging.getLogger(__name__)


@dataclass
class TrainingOptions:
    """Everything a training run depends on; CLI flags map onto these fields one to one."""

    corpus: Path = Path("corpus")
    out: Path | None = Path("models")
    eval: list[Path] = field(default_factory=list)
    folds: int = 5
    seed: int = 0
    kind: str = "blend"  # the shipped design (models/README.md); ComplaintClassifier itself defaults to logreg
    C: float = 32.0
    segment_window: int = 3
    segment_stride: int = 3
    combine: str = "mean"
    threshold_beta: float = 1.25  # shipped recipe; see models/README.md, "Thresholds"
    cue_weight: float = 1.0
    augment: float = 1.0
    jobs: int = -1  # processes fitting the per-label models; -1 = all cores (same model either way)

    def __post_init__(self) -> None:
        from .model import KINDS

        self.corpus = Path(self.corpus)
        self.out = Path(self.out) if self.out is not None else None
        self.eval = [Path(p) for p in self.eval]
        if self.folds < 2:
            raise InputError(f"folds must be at least 2, got {self.folds}")
        if self.kind not in KINDS:
            raise InputError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.C <= 0:
            raise InputError(f"C must be positive, got {self.C}")
        check_jobs(self.jobs)
        if self.threshold_beta <= 0:
            raise InputError(f"threshold_beta must be positive, got {self.threshold_beta}")
        if self.combine not in ("max", "mean", "pieces"):
            raise InputError(f"combine must be max, mean or pieces, got {self.combine!r}")
        if self.segment_window < 0 or self.cue_weight < 0 or self.augment < 0 or self.segment_stride < 1:
            raise InputError("segment_window, cue_weight and augment must not be negative; "
                             "segment_stride must be at least 1")

    def model_params(self) -> dict[str, Any]:
        return {"kind": self.kind, "C": self.C, "segment_window": self.segment_window,
                "segment_stride": self.segment_stride, "combine": self.combine,
                "threshold_beta": self.threshold_beta,
                "cue_weight": self.cue_weight, "augment": self.augment,
                "threshold_cv": self.folds, "random_state": self.seed, "n_jobs": self.jobs}


def cross_fitted_predictions(y_true: np.ndarray, oof_proba: np.ndarray, folds: int, seed: int,
                             beta: float = 1.0) -> np.ndarray:
    """0/1 predictions where each fold's thresholds come from the other folds' probabilities."""
    from sklearn.model_selection import KFold

    from .model import best_thresholds

    pred = np.zeros_like(y_true)
    for rest, fold in KFold(n_splits=folds, shuffle=True, random_state=seed).split(oof_proba):
        thresholds = best_thresholds(y_true[rest], oof_proba[rest], beta=beta)
        pred[fold] = (oof_proba[fold] >= thresholds).astype(y_true.dtype)
    return pred


def train(options: TrainingOptions) -> dict[str, Any]:
    """Fit on the corpus, score, and (unless ``options.out`` is None) save; return the report.

    The output folder, the corpus and every evaluation file are checked before the (slow) fit.
    """
    from .evaluation import evaluate_records, read_evaluation_file, scores
    from .model import MIN_POSITIVES, ComplaintClassifier, label_matrix, too_rare_labels
    from .persistence import save_model

    started = time.perf_counter()
    if options.out is not None:
        check_output_folder(options.out)
    records = read_corpus(options.corpus)
    if len(records) < options.folds * 2:
        raise InputError(f"{options.corpus}: {len(records)} records are too few for {options.folds}-fold training")
    texts = [r.text for r in records]
    y = label_matrix([r.labels for r in records])
    few = too_rare_labels(y)
    if few:
        raise InputError(f"{options.corpus}: too few records with label {', '.join(f'{label!r} ({n})' for label, n in few.items())}; "
                         f"every label needs at least {MIN_POSITIVES} positive records (far more to learn it): add labelled records")
    evaluation_sets = [(path, read_evaluation_file(path)) for path in options.eval]
    logger.info("training on %d records from %s", len(records), options.corpus)
    model = ComplaintClassifier(**options.model_params()).fit(texts, y)
    assert model.oof_proba_ is not None  # threshold_cv >= 2 is guaranteed by TrainingOptions
    cv = scores(y, cross_fitted_predictions(y, model.oof_proba_, options.folds, options.seed, options.threshold_beta))
    brier = float(np.mean((model.oof_proba_ - y) ** 2))
    report: dict[str, Any] = {
        "n_records": len(records),
        "label_counts": {label: int(y[:, j].sum()) for j, label in enumerate(LABELS)},
        "cross_validation": {"folds": options.folds, **cv, "brier": round(brier, 4)},
        "evaluations": [evaluate_records(model, recs, path) for path, recs in evaluation_sets],
        "training_options": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(options).items()},
        "corpus": corpus_fingerprint(options.corpus),
    }
    report["training_options"]["eval"] = [str(p) for p in options.eval]
    report["fit_seconds"] = round(time.perf_counter() - started, 1)
    if options.out is not None:
        path = save_model(
            model, options.out,
            metrics={"cross_validation": report["cross_validation"],
                     "evaluations": [{k: v for k, v in e.items() if k != "confusions"} for e in report["evaluations"]]},
            corpus=report["corpus"], training_options=report["training_options"],
            n_records=len(records), fit_seconds=report["fit_seconds"],
        )
        report["model_path"] = str(path)
    return report


def check_output_folder(out: Path) -> None:
    """``InputError`` unless ``out`` is a folder, or can be created as one, that is writable."""
    from .persistence import MODEL_NAME

    if out.exists() and not out.is_dir():
        raise InputError(f"{out} is a file, but the output (--out) must be a folder: it will hold "
                         f"{MODEL_NAME}.joblib and {MODEL_NAME}.json; pass a folder (created if missing)")
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"cannot create the output folder {out}: {existing} is a file; pass another --out")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"cannot write the model into {out}: {existing} is not writable; pass another --out")
    for name in (f"{MODEL_NAME}.joblib", f"{MODEL_NAME}.json"):
        if (out / name).is_dir():
            raise InputError(f"{out / name} is a folder, so the model cannot be written there; "
                             "remove it or pass another --out")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = TrainingOptions()
    parser.add_argument("--corpus", type=Path, default=defaults.corpus, help="corpus folder or JSONL file (default: corpus/)")
    parser.add_argument("--out", type=Path, default=defaults.out, help="where to write the model (default: models/)")
    parser.add_argument("--eval", type=Path, nargs="*", default=[], metavar="FILE", help="labelled files to score the model on")
    parser.add_argument("--folds", type=int, default=defaults.folds, help="cross-validation folds (default: 5)")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="random seed (default: 0)")
    parser.add_argument("--kind", default=defaults.kind, help="blend, logreg, svm, nb or chain (default: blend, the shipped design)")
    parser.add_argument("--C", type=float, default=defaults.C, help=f"inverse regularisation of the linear models (default: {defaults.C:g})")
    parser.add_argument("--segment-window", type=int, default=defaults.segment_window, help="clauses per scored piece; 0 = whole texts")
    parser.add_argument("--segment-stride", type=int, default=defaults.segment_stride,
                        help="clauses between consecutive window starts (default: 3, no overlap)")
    parser.add_argument("--combine", default=defaults.combine, choices=("max", "mean", "pieces"),
                        help="how whole-text and best-piece probabilities combine (default: mean)")
    parser.add_argument("--threshold-beta", type=float, default=defaults.threshold_beta,
                        help=f"thresholds maximise F-beta; > 1 favours recall (default: {defaults.threshold_beta:g})")
    parser.add_argument("--cue-weight", type=float, default=defaults.cue_weight, help="weight of the cue-pattern features; 0 = none")
    parser.add_argument("--augment", type=float, default=defaults.augment,
                        help="joined pairs of training texts to add, as a share of the corpus; 0 = none (default: 1)")
    parser.add_argument("--jobs", type=int, default=defaults.jobs,
                        help="processes fitting the per-label models (default: -1, all cores; the model is the same)")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")


def options_from_args(args: argparse.Namespace) -> TrainingOptions:
    return TrainingOptions(corpus=args.corpus, out=args.out, eval=args.eval, folds=args.folds, seed=args.seed,
                           kind=args.kind, C=args.C, segment_window=args.segment_window,
                           segment_stride=args.segment_stride, combine=args.combine,
                           threshold_beta=args.threshold_beta, cue_weight=args.cue_weight,
                           augment=args.augment, jobs=args.jobs)


def format_report(report: dict[str, Any]) -> str:
    from .evaluation import format_scores

    cv = report["cross_validation"]
    parts = [f"trained on {report['n_records']} records in {report['fit_seconds']} s",
             format_scores(cv, f"\n{cv['folds']}-fold cross-validation on the corpus (Brier {cv['brier']:.3f}):")]
    for ev in report["evaluations"]:
        parts.append(format_scores(ev, f"\nevaluation on {ev['file']}:"))
    if report.get("model_path"):
        parts.append(f"\nwrote {report['model_path']} and its manifest")
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m textmine.train``: the same as ``textmine train``."""
    from .cli import main as cli_main

    return cli_main(["train", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
