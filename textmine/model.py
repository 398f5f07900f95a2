"""The multi-label complaint classifier, a scikit-learn estimator over raw texts.

>>> clf = ComplaintClassifier().fit(texts, labels)     # doctest: +SKIP
>>> clf.predict(["热线永远占线，留言也没人回"])           # doctest: +SKIP
[['channel', 'speed']]

``labels`` may be lists of label ids or a 0/1 matrix with one column per ``LABELS`` entry
(see ``label_matrix``). Per-label decision thresholds are tuned on out-of-fold probabilities
during ``fit`` (set ``threshold_cv=0`` to keep 0.5). ``predict`` returns label names;
``predict_indicator`` the 0/1 matrix; ``score`` is macro-F1, so ``GridSearchCV`` works with its
default scoring (see ``ComplaintClassifier`` for other scorers). Texts without content (empty,
digits or punctuation only, "无", "n/a", ...: see ``has_content``) get no labels.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.multioutput import ClassifierChain
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from .features import TextFeatures, normalize_all
from .taxonomy import LABELS

__all__ = ["ComplaintClassifier", "label_matrix", "best_thresholds", "joined_pairs", "has_content",
           "indicator_scorer", "KINDS", "NULL_ANSWERS"]

logger = logging.getLogger(__name__)

#: Classifier families ``ComplaintClassifier(kind=...)`` can build.
KINDS = ("logreg", "blend", "svm", "nb", "chain")


def label_matrix(y: Any) -> np.ndarray:
    """Labels → an ``(n, 6)`` int8 0/1 matrix in ``LABELS`` order.

    ``y`` may be, per text, the label ids (a list, or one str joining them with ``;`` or ``,``;
    ``[]``, ``""``, None or NaN for none) or six 0/1 values; or a 2-D array or scipy sparse
    matrix with six columns; or a DataFrame with one 0/1 column per label (other columns are
    ignored). Bools count as 0/1; any other value raises ``ValueError`` naming row and column.
    """
    if isinstance(y, pd.DataFrame):
        missing = [label for label in LABELS if label not in y.columns]
        if missing:
            raise ValueError(
                f"label DataFrame lacks column(s) {', '.join(missing)}; it needs one 0/1 column per "
                f"label ({', '.join(LABELS)}), found columns {', '.join(map(repr, map(str, y.columns)))}"
            )
        return _indicator(y[list(LABELS)].to_numpy())
    if sp.issparse(y):
        return _indicator(y.toarray())
    if isinstance(y, np.ndarray) and y.ndim == 2:
        return _indicator(y)
    if isinstance(y, str):
        raise ValueError("expected the labels of each text, got a single string; wrap it in a list")
    rows = list(y)
    if rows and all(map(_is_number_row, rows)):
        for i, row in enumerate(rows):
            if len(row) != len(LABELS):
                raise ValueError(f"row {i}: a 0/1 row needs {len(LABELS)} values, one per label "
                                 f"({', '.join(LABELS)}), found {len(row)}: {list(row)!r}")
        return _indicator(np.array([list(row) for row in rows], dtype=object))
    out = np.zeros((len(rows), len(LABELS)), dtype=np.int8)
    index = {label: j for j, label in enumerate(LABELS)}
    for i, labels in enumerate(rows):
        if _is_missing_label(labels):
            continue
        if isinstance(labels, str):
            labels = [part for part in labels.replace(",", ";").split(";") if part.strip()]
        elif not isinstance(labels, Iterable):
            raise ValueError(f"row {i}: expected the label ids of one text (or {len(LABELS)} 0/1 "
                             f"values), found {labels!r}")
        for label in labels:
            if not isinstance(label, str):
                raise ValueError(f"row {i}: {label!r} is not a label id; give each row as label ids "
                                 f"({', '.join(LABELS)}) or as {len(LABELS)} 0/1 values, not a mix")
            label = label.strip()
            if label not in index:
                raise ValueError(f"row {i}: unknown label {label!r}; expected one of {LABELS}")
            out[i, index[label]] = 1
    return out


def _is_missing_label(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, (float, np.floating)) and bool(np.isnan(value)))


def _is_number_row(row: Any) -> bool:
    """A non-empty list/tuple/1-D array of numbers or bools (a 0/1 row, not label ids)."""
    return (isinstance(row, (list, tuple, np.ndarray)) and len(row) > 0
            and all(isinstance(v, (int, float, np.number, np.bool_)) for v in row))


def _is_01(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return True
    return isinstance(value, (int, float, np.integer, np.floating)) and value in (0, 1)


def _indicator(matrix: np.ndarray) -> np.ndarray:
    """A 2-D matrix checked to have one column per label and only 0/1 (or bool) values."""
    if matrix.ndim != 2 or matrix.shape[1] != len(LABELS):
        raise ValueError(f"label matrix must have {len(LABELS)} columns, one per label "
                         f"({', '.join(LABELS)}), found shape {matrix.shape}")
    if matrix.dtype == bool:
        return matrix.astype(np.int8)
    if matrix.dtype.kind in "iuf":
        ok = (matrix == 0) | (matrix == 1)
    else:
        ok = np.array([[_is_01(v) for v in row] for row in matrix], dtype=bool).reshape(matrix.shape)
    if not ok.all():
        i, j = np.argwhere(~ok)[0]
        value = matrix[i, j].item() if isinstance(matrix[i, j], np.generic) else matrix[i, j]
        raise ValueError(f"label matrix row {i}, column {j} ({LABELS[j]}): {value!r} is not 0 or 1; "
                         "give each label as 0/1 or False/True")
    return matrix.astype(np.int8)


#: Whole answers that mean "nothing to say". A text that is one of them, or one repeated (无无),
#: once normalised, lower-cased and stripped of everything but letters and digits, has no
#: content (see ``has_content``). Keep it to unambiguous null answers.
NULL_ANSWERS: frozenset[str] = frozenset({
    "无", "没", "没有", "没有了", "暂无", "暂时没有", "没什么", "无意见", "没意见", "没有意见",
    "暂无意见", "无建议", "没有建议", "暂无建议", "none", "na", "nil", "null",
})
_NULL_MAX_CHARS = 24  # longer texts are never null answers; skips the check for them


def has_content(text: str) -> bool:
    """Whether a normalised text can make a complaint: it has a letter (CJK or other script;
    texts of digits, punctuation, emoji and spaces alone have none) and is not a null answer
    (``NULL_ANSWERS``). Texts without content get zero probabilities and no labels."""
    if not any(map(str.isalpha, text)):
        return False
    if len(text) > _NULL_MAX_CHARS:
        return True
    core = "".join(filter(str.isalnum, text)).lower()
    for answer in NULL_ANSWERS:
        times, rest = divmod(len(core), len(answer))
        if not rest and answer * times == core:
            return False
    return True


def indicator_scorer(metric: Any, **kwargs: Any) -> Any:
    """A scikit-learn scorer ``(estimator, X, y) -> float`` applying ``metric(y_true, y_pred,
    **kwargs)`` to 0/1 label matrices, for ``GridSearchCV(..., scoring=...)``.

    >>> from sklearn.metrics import f1_score                           # doctest: +SKIP
    >>> GridSearchCV(ComplaintClassifier(), grid, scoring=indicator_scorer(f1_score, average="micro"))
    """

    def scorer(estimator: Any, X: Any, y: Any) -> float:
        return float(metric(label_matrix(y), estimator.predict_indicator(X), **kwargs))

    scorer.__name__ = f"indicator_{getattr(metric, '__name__', 'metric')}"
    return scorer


#: Positive examples a label needs before a model can be fitted for it.
MIN_POSITIVES = 2


def too_rare_labels(Y: np.ndarray) -> dict[str, int]:
    """``{label: positives}`` of the labels with fewer than ``MIN_POSITIVES`` in ``Y``."""
    counts = Y.sum(axis=0)
    return {label: int(counts[j]) for j, label in enumerate(LABELS) if counts[j] < MIN_POSITIVES}


def best_thresholds(
    y_true: np.ndarray, proba: np.ndarray, grid: Sequence[float] | None = None, beta: float = 1.0
) -> np.ndarray:
    """Per-label threshold that maximises F-beta on ``proba`` (ties → the one nearest 0.5).

    ``beta > 1`` weighs recall above precision. On feedback written unlike the corpus the
    model's probabilities drop, so thresholds that are F1-optimal in-domain miss complaints
    there; see models/README.md for the measured trade-off.
    """
    grid = np.round(np.arange(0.05, 0.91, 0.01), 2) if grid is None else np.asarray(grid)
    b2 = beta * beta
    thresholds = np.full(y_true.shape[1], 0.5)
    for j in range(y_true.shape[1]):
        truth = y_true[:, j].astype(bool)
        best = (-1.0, 0.0)
        for t in grid:
            pred = proba[:, j] >= t
            tp = np.sum(pred & truth)
            denom = (1 + b2) * tp + b2 * np.sum(~pred & truth) + np.sum(pred & ~truth)
            score = (1 + b2) * tp / denom if denom else 0.0
            key = (round(float(score), 6), -abs(float(t) - 0.5))
            if key > best:
                best = key
                thresholds[j] = float(t)
    return thresholds


def joined_pairs(texts: list[str], Y: np.ndarray, share: float, seed: Any = 0) -> tuple[list[str], np.ndarray]:
    """``round(share * len(texts))`` texts made by joining two random texts of ``texts``,
    labelled with the union of their labels.

    Most corpus texts make one complaint, so a model learns that one label's words are evidence
    *against* another; real reviews make several at once. A joined pair is still labelled
    correctly by the guide (every complaint a text makes counts), and teaches the model that
    complaints, and product talk around them, do not cancel each other. ``seed`` is what
    scikit-learn accepts as ``random_state``: an int (deterministic for a given input), None or
    a ``numpy.random.RandomState``.
    """
    if seed is None or isinstance(seed, (int, np.integer)):
        rng = np.random.default_rng(None if seed is None else [int(seed), len(texts)])
    else:
        rng = np.random.default_rng(seed.randint(2**31))
    n = int(round(share * len(texts)))
    first = rng.integers(0, len(texts), n)
    second = rng.integers(0, len(texts), n)
    joints = rng.choice(np.array(["，", "。", " ", "！"]), n)
    joined = [texts[i] + str(joint) + texts[k] for i, k, joint in zip(first, second, joints)]
    return joined, (Y[first] | Y[second]).astype(Y.dtype)


class OneVsRestOwnCues:
    """One logistic regression per label in which only that label's cue feature is visible.

    ``cue_columns[j]`` is the column of label ``j``'s cue feature (``TextFeatures.cue_columns``;
    empty when there are none). Fitted freely, a label learns a *negative* weight for the other
    labels' cues (corpus texts mostly make one complaint), which costs recall on real feedback
    that makes several. Each label's model is fitted with the other cue columns zeroed, so their
    coefficients come out 0 and prediction needs no masking.
    """

    def __init__(self, estimator: Any, cue_columns: Sequence[int], n_jobs: int | None = None) -> None:
        self.estimator = estimator
        self.cue_columns = list(cue_columns)
        self.n_jobs = n_jobs

    def fit(self, X: Any, Y: np.ndarray) -> OneVsRestOwnCues:
        from joblib import Parallel, delayed

        X = sp.csr_matrix(X)
        hidden = [[column for k, column in enumerate(self.cue_columns) if k != j] for j in range(Y.shape[1])]
        self.estimators_ = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_without_columns)(self.estimator, X, Y[:, j], hidden[j]) for j in range(Y.shape[1])
        )
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.column_stack([estimator.predict_proba(X)[:, 1] for estimator in self.estimators_])


def _fit_without_columns(estimator: Any, X: Any, y: np.ndarray, hidden: list[int]) -> Any:
    """A clone of ``estimator`` fitted with the ``hidden`` columns zeroed (constant ``y``: a
    constant probability)."""
    from sklearn.base import clone

    if y.min() == y.max():  # a label without positives (or negatives) here
        return _ConstantProbability(float(y[0]))
    keep = np.ones(X.shape[1])
    keep[hidden] = 0
    fitted = clone(estimator).fit(X @ sp.diags(keep), y)
    fitted.coef_[:, hidden] = 0  # already ~0 (all-zero columns); exactly 0 for clarity
    return fitted


class _ConstantProbability:
    """Stands in for a label's model when its training column is constant."""

    def __init__(self, probability: float) -> None:
        self.probability = probability

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.tile([1 - self.probability, self.probability], (X.shape[0], 1))


class ConstantSafe(ClassifierMixin, BaseEstimator):
    """A binary classifier that fits ``estimator``, or predicts a constant probability when the
    training labels are all 0 or all 1 (liblinear refuses those; a small cross-validation
    fold can produce them). ``ClassifierChain`` clones it once per label."""

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    def fit(self, X: Any, y: Any) -> ConstantSafe:
        from sklearn.base import clone

        y = np.asarray(y).ravel()
        self.classes_ = np.array([0, 1])
        if y.min() == y.max():
            self.estimator_: Any = _ConstantProbability(float(y[0]))
        else:
            self.estimator_ = clone(self.estimator).fit(X, y)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        return self.estimator_.predict_proba(X)

    def predict(self, X: Any) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


class SingleThreadLogisticRegression(LogisticRegression):
    """``LogisticRegression`` whose ``fit`` runs BLAS on one thread.

    liblinear calls BLAS, and several BLAS threads add up in an order that depends on the
    machine: the coefficients then differ in the eighth digit between a laptop and a server, or
    between fitting the labels in one process and in several (``n_jobs``). On one thread the
    same data give the same model everywhere. The limit holds only while ``fit`` runs.
    """

    def fit(self, X: Any, y: Any, *args: Any, **kwargs: Any) -> SingleThreadLogisticRegression:
        with threadpool_limits(limits=1, user_api="blas"):
            return super().fit(X, y, *args, **kwargs)


class NBWeightedLogisticRegression(ClassifierMixin, BaseEstimator):
    """Binary logistic regression on features scaled by their naive-Bayes evidence.

    Each feature is multiplied by ``|log r|``, where ``r`` is the ratio of its smoothed
    document frequency among positives to that among negatives (the "NBSVM" idea of Wang and
    Manning, 2012): n-grams that separate the classes weigh more before the linear model is
    fitted. The scaling is folded into ``coef_`` afterwards, so predicting is one sparse
    product on the unscaled features; coefficients are stored as float32 to keep the model
    file small. Binary 0/1 targets only (it is used inside ``OneVsRestClassifier``).
    """

    def __init__(self, *, C: float = 32.0, alpha: float = 1.0, class_weight: str | None = "balanced",
                 random_state: int = 0) -> None:
        self.C = C
        self.alpha = alpha
        self.class_weight = class_weight
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> NBWeightedLogisticRegression:
        X = sp.csr_matrix(X)
        y = np.asarray(y).astype(bool)
        present = X.copy()
        present.data[:] = 1
        positive = self.alpha + np.asarray(present[y].sum(axis=0)).ravel()
        negative = self.alpha + np.asarray(present[~y].sum(axis=0)).ravel()
        weight = np.abs(np.log((positive / positive.sum()) / (negative / negative.sum())))
        model = SingleThreadLogisticRegression(C=self.C, class_weight=self.class_weight, solver="liblinear",
                                               random_state=self.random_state)
        model.fit(X @ sp.diags(weight), y)
        self.classes_ = np.array([0, 1])
        self.coef_ = (model.coef_ * weight).astype(np.float32)
        self.intercept_ = model.intercept_.astype(np.float32)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        return np.asarray(X @ self.coef_.T, dtype=float).ravel() + float(self.intercept_[0])

    def predict_proba(self, X: Any) -> np.ndarray:
        positive = expit(self.decision_function(X))
        return np.column_stack([1 - positive, positive])

    def predict(self, X: Any) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)


class MeanOfHeads:
    """Several multi-label heads fitted on the same features; probabilities are their mean."""

    def __init__(self, heads: list[Any]) -> None:
        self.heads = heads

    def fit(self, X: Any, Y: np.ndarray) -> MeanOfHeads:
        for head in self.heads:
            head.fit(X, Y)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.mean([_head_proba(head, X) for head in self.heads], axis=0)


class ComplaintClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label classifier of the six complaint labels.

    Parameters (keyword-only, scikit-learn style):
        kind: ``"logreg"`` (one-vs-rest logistic regression), ``"blend"`` (the mean of
            ``"logreg"`` and an NB-weighted logistic regression, see
            ``NBWeightedLogisticRegression``), ``"svm"`` (linear SVM with sigmoid calibration),
            ``"nb"`` (complement naive Bayes) or ``"chain"`` (a classifier chain of logistic
            regressions in ``LABELS`` order).
        C: inverse regularisation of the linear models; alpha: smoothing of ``nb``.
        class_weight: ``None`` or ``"balanced"``.
        word_ngrams, char_ngrams, min_df, max_features: feature settings.
        threshold_cv: folds for tuning per-label thresholds in ``fit`` (0 keeps 0.5).
        threshold_beta: thresholds maximise F-beta; 1.5 leans to recall (see ``best_thresholds``).
        segment_window: also score windows of this many clauses and combine each label's best
            window with the whole text (0 scores whole texts only); see ``textmine.features``.
        segment_min_chars: texts up to this length are always scored whole.
        segment_stride: clauses between the starts of consecutive windows (1 = overlapping).
        combine: how whole-text and best-piece probabilities combine: ``"max"``, ``"mean"``
            or ``"pieces"`` (see ``_proba``).
        cue_weight: scale of the six cue-pattern features (``data/cues.txt``); 0 drops them.
            With ``"logreg"`` each label sees only its own cue feature (see ``OneVsRestOwnCues``).
        augment: also train on this many (times the number of texts) pairs of training texts
            joined into one, labelled with the union of their labels (see ``joined_pairs``);
            0 trains on the texts alone.
        hmm: let jieba guess unknown words with its HMM (slower; the domain dictionary covers
            the vocabulary that matters).
        user_words: extra dictionary words for the tokenizer (see ``DomainTokenizer``).
        random_state: seed for the folds and the solvers.
        n_jobs: processes that fit the per-label models side by side (joblib's convention: None
            or 1 = this process only, -1 = all cores). The ``logreg``, ``blend`` and ``chain``
            models do not depend on it (see ``SingleThreadLogisticRegression``).

    Model selection: ``predict`` returns lists of label names, which scikit-learn's metrics
    cannot read, so scorer strings that call ``predict`` (``"f1_macro"``, ``"f1_micro"``,
    ``"accuracy"``, ...) fail and ``GridSearchCV`` reports NaN scores. Use ``scoring=None`` (the
    built-in macro-F1 ``score``), ``indicator_scorer(metric, ...)`` for any metric of 0/1 label
    matrices (``indicator_scorer(f1_score, average="micro")``), or the probability-ranking
    scorers ``"roc_auc"`` and ``"average_precision"`` (macro over labels; ``classes_`` lists
    the labels for them). ``"neg_log_loss"`` runs but treats each row as one distribution over
    the six labels, which multi-label probabilities are not.
    """

    def __init__(
        self,
        *,
        kind: str = "logreg",
        C: float = 32.0,
        alpha: float = 0.3,
        class_weight: str | None = "balanced",
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (1, 3),
        min_df: int = 1,
        max_features: int | None = 200_000,
        threshold_cv: int = 5,
        threshold_beta: float = 1.5,
        segment_window: int = 3,
        segment_min_chars: int = 60,
        segment_stride: int = 3,
        combine: str = "mean",
        cue_weight: float = 1.0,
        augment: float = 1.0,
        hmm: bool = False,
        user_words: Any = None,
        random_state: int = 0,
        n_jobs: int | None = None,
    ) -> None:
        self.kind = kind
        self.C = C
        self.alpha = alpha
        self.class_weight = class_weight
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_features = max_features
        self.threshold_cv = threshold_cv
        self.threshold_beta = threshold_beta
        self.segment_window = segment_window
        self.segment_min_chars = segment_min_chars
        self.segment_stride = segment_stride
        self.combine = combine
        self.cue_weight = cue_weight
        self.augment = augment
        self.hmm = hmm
        self.user_words = user_words
        self.random_state = random_state
        self.n_jobs = n_jobs

    # -- construction ---------------------------------------------------------------------------
    def _make_head(self, features: TextFeatures) -> Any:
        if self.kind == "logreg":
            return OneVsRestOwnCues(self._logistic_regression(), features.cue_columns(), n_jobs=self.n_jobs)
        if self.kind == "blend":
            return MeanOfHeads([
                OneVsRestClassifier(self._logistic_regression(), n_jobs=self.n_jobs),
                OneVsRestClassifier(NBWeightedLogisticRegression(
                    C=self.C, class_weight=self.class_weight, random_state=self.random_state,
                ), n_jobs=self.n_jobs),
            ])
        if self.kind == "svm":
            return OneVsRestClassifier(
                CalibratedClassifierCV(
                    LinearSVC(C=self.C / 8, class_weight=self.class_weight, random_state=self.random_state),
                    method="sigmoid", cv=3,
                ), n_jobs=self.n_jobs,
            )
        if self.kind == "nb":
            return OneVsRestClassifier(ComplementNB(alpha=self.alpha), n_jobs=self.n_jobs)
        if self.kind == "chain":
            return ClassifierChain(ConstantSafe(self._logistic_regression()), order=list(range(len(LABELS))))
        raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")

    def _logistic_regression(self) -> LogisticRegression:
        return SingleThreadLogisticRegression(
            C=self.C, class_weight=self.class_weight, solver="liblinear", random_state=self.random_state,
        )

    def _make_features(self) -> TextFeatures:
        return TextFeatures(
            word_ngrams=tuple(self.word_ngrams), char_ngrams=tuple(self.char_ngrams),
            min_df=self.min_df, max_features=self.max_features, user_words=self.user_words,
            hmm=self.hmm, segment_window=self.segment_window,
            segment_min_chars=self.segment_min_chars, segment_stride=self.segment_stride,
            cue_weight=self.cue_weight,
        )

    def _fit_parts(self, texts: list[str], Y: np.ndarray) -> tuple[TextFeatures, Any]:
        if self.augment:
            extra_texts, extra_Y = joined_pairs(texts, Y, self.augment, seed=self.random_state)
            texts, Y = texts + extra_texts, np.vstack([Y, extra_Y])
        features = self._make_features().fit(texts)
        matrix = sp.csr_matrix(features.transform(texts))
        matrix.sum_duplicates()  # canonical (sorted) indices: worker processes get the matrix
        # read-only, and liblinear would otherwise try to sort it in place there
        head = _compact(self._make_head(features).fit(matrix, Y))
        return features, head

    # -- fitting --------------------------------------------------------------------------------
    def fit(self, X: Iterable[Any], y: Any) -> ComplaintClassifier:
        """Fit on raw texts and their labels; tune thresholds on out-of-fold probabilities."""
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.augment < 0:
            raise ValueError(f"augment must not be negative, got {self.augment!r}")
        if self.combine not in ("max", "mean", "pieces"):
            raise ValueError(f"combine must be 'max', 'mean' or 'pieces', got {self.combine!r}")
        texts = normalize_all(X)
        Y = label_matrix(y)
        if len(texts) != len(Y):
            raise ValueError(f"{len(texts)} texts but {len(Y)} label rows")
        few = too_rare_labels(Y)
        if few:
            raise ValueError(f"each label needs at least {MIN_POSITIVES} positive examples; too few: "
                             f"{', '.join(f'{label} ({n})' for label, n in few.items())}")
        self.oof_proba_: np.ndarray | None = None
        if self.threshold_cv and self.threshold_cv > 1:
            self.oof_proba_ = self._out_of_fold(texts, Y, self.threshold_cv)
            self.thresholds_ = best_thresholds(Y, self.oof_proba_, beta=self.threshold_beta)
        else:
            self.thresholds_ = np.full(len(LABELS), 0.5)
        self.features_, self.head_ = self._fit_parts(texts, Y)
        self.cv_rates_ = _rates(Y, self.oof_proba_, self.thresholds_) if self.oof_proba_ is not None else None
        return self

    def _out_of_fold(self, texts: list[str], Y: np.ndarray, folds: int) -> np.ndarray:
        proba = np.zeros(Y.shape, dtype=float)
        splitter = KFold(n_splits=folds, shuffle=True, random_state=self.random_state)
        for k, (train, test) in enumerate(splitter.split(texts)):
            logger.debug("threshold fold %d/%d", k + 1, folds)
            features, head = self._fit_parts([texts[i] for i in train], Y[train])
            proba[test] = _proba(features, head, [texts[i] for i in test], self.combine)
        return proba

    # -- predicting -----------------------------------------------------------------------------
    @property
    def classes_(self) -> np.ndarray:
        """The label ids, once fitted: what scikit-learn's scorers read (a property, so models
        saved before it existed have it too)."""
        check_is_fitted(self, "head_")
        return np.array(LABELS)

    @property
    def labels(self) -> tuple[str, ...]:
        """The label ids, in the column order of every output (== ``textmine.LABELS``)."""
        return LABELS

    def predict_proba(self, X: Iterable[Any]) -> pd.DataFrame:
        """Probabilities, one row per text, columns ``LABELS``; texts without content (empty,
        None/NaN, digits or punctuation only, null answers like 无 or n/a: see ``has_content``)
        get 0."""
        return self._scored_proba(X, gate=True)

    def _scored_proba(self, X: Iterable[Any], gate: bool) -> pd.DataFrame:
        """``predict_proba``; with ``gate=False`` every non-empty text is scored, with or without
        content (``explain``'s occlusion variants need the model's own output for those)."""
        check_is_fitted(self, "head_")
        texts = normalize_all(X)
        proba = np.zeros((len(texts), len(LABELS)), dtype=float)
        present = [i for i, t in enumerate(texts) if t and (not gate or has_content(t))]
        if present:
            proba[present] = _proba(self.features_, self.head_, [texts[i] for i in present], self.combine)
        index = X.index if isinstance(X, pd.Series) else None
        return pd.DataFrame(proba, columns=list(LABELS), index=index)

    def predict_indicator(self, X: Iterable[Any]) -> np.ndarray:
        """0/1 matrix ``(n, 6)`` in ``LABELS`` order."""
        proba = self.predict_proba(X).to_numpy()
        return (proba >= self.thresholds_).astype(np.int8)

    def predict(self, X: Iterable[Any]) -> list[list[str]]:
        """Predicted label ids per text, in ``LABELS`` order (``[]`` for none)."""
        return [[label for label, hit in zip(LABELS, row) if hit] for row in self.predict_indicator(X).tolist()]

    def score(self, X: Iterable[Any], y: Any, sample_weight: Any = None) -> float:
        """Macro-F1 over the six labels (the project's headline metric)."""
        from sklearn.metrics import f1_score

        return float(
            f1_score(label_matrix(y), self.predict_indicator(X), average="macro", zero_division=0)
        )

    def explain(self, text: Any, top: int = 5) -> dict[str, list[tuple[str, float]]]:
        """For each predicted label, the phrases of ``text`` that drove it, strongest first.

        A phrase's weight is how much the label's log-odds drop when the phrase is blanked out.
        Phrases are one to three words, quoted exactly as written in ``text`` (Traditional,
        full-width and all), within one clause, each named once per label.
        ``text`` is one str (bytes are decoded as UTF-8; None/NaN give ``{}``), not a list.
        """
        from .explain import explain_text
        from .features import _text_value

        if isinstance(text, Iterable) and not isinstance(text, (str, bytes, bytearray)):
            raise TypeError(f"explain takes one text, got a {type(text).__name__}; "
                            "call it once per text: [clf.explain(t) for t in texts]")
        text = _text_value(text)
        clean = normalize_all([text])[0]
        if not clean or not has_content(clean):
            return {}
        return explain_text(_ScoresEveryText(self), text, top=top)

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.target_tags.multi_output = True
        return tags


class _ScoresEveryText:
    """A fitted classifier as ``explain`` sees it: ``predict_proba`` scores texts without
    content too, so that blanking a text's only phrase is measured against the model's own
    featureless output rather than the zero ``has_content`` imposes."""

    def __init__(self, clf: ComplaintClassifier) -> None:
        self._clf = clf

    def __getattr__(self, name: str) -> Any:
        return getattr(self._clf, name)

    def predict_proba(self, X: Iterable[Any]) -> pd.DataFrame:
        return self._clf._scored_proba(X, gate=False)


def _rates(Y: np.ndarray, proba: np.ndarray, thresholds: np.ndarray) -> dict[str, dict[str, float]]:
    """Out-of-fold true- and false-positive rates per label and for "any label"."""
    pred = proba >= thresholds
    truth = Y.astype(bool)
    columns = {label: (truth[:, j], pred[:, j]) for j, label in enumerate(LABELS)}
    columns["any"] = (truth.any(axis=1), pred.any(axis=1))
    rates = {}
    for name, (t, p) in columns.items():
        rates[name] = {
            "tpr": float(p[t].mean()) if t.any() else 1.0,
            "fpr": float(p[~t].mean()) if (~t).any() else 0.0,
        }
    return rates


def _compact(head: Any) -> Any:
    """Store fitted linear coefficients as float32: half the model file; probabilities move by
    less than about 1e-5."""
    for part in getattr(head, "heads", [head]):
        for estimator in getattr(part, "estimators_", []):
            estimator = getattr(estimator, "estimator_", estimator)  # unwrap ConstantSafe
            if isinstance(getattr(estimator, "coef_", None), np.ndarray):
                estimator.coef_ = estimator.coef_.astype(np.float32)
    return head


def _head_proba(head: Any, matrix: Any) -> np.ndarray:
    proba = head.predict_proba(matrix)
    if isinstance(proba, list):  # some multi-output heads return one (n, 2) array per label
        proba = np.column_stack([p[:, 1] for p in proba])
    return np.clip(np.nan_to_num(np.asarray(proba, dtype=float), nan=0.0), 0.0, 1.0)


def _proba(features: TextFeatures, head: Any, texts: list[str], combine: str = "mean") -> np.ndarray:
    """``(n, 6)`` probabilities of normalised texts.

    With segmentation on, each label's probability combines the whole-text probability with
    the highest probability over the text's pieces: ``"max"`` keeps the larger, ``"mean"``
    averages them, ``"pieces"`` uses the pieces alone. Texts that are a single piece are
    scored once.
    """
    if not features.segment_window:
        return _head_proba(head, features.transform(texts))
    matrix, owner, is_whole = features.transform_pieces(texts)
    row_proba = _head_proba(head, matrix)
    best = np.zeros((len(texts), row_proba.shape[1]), dtype=float)
    np.maximum.at(best, owner[~is_whole], row_proba[~is_whole])  # pieces of split texts
    whole = np.zeros_like(best)
    whole[owner[is_whole]] = row_proba[is_whole]
    single = np.zeros(len(texts), dtype=bool)
    single[owner[is_whole]] = True
    single[owner[~is_whole]] = False  # a split text also has a whole row; it is not single
    best[single] = whole[single]
    if combine == "pieces":
        return best
    if combine == "mean":
        return (whole + best) / 2
    return np.maximum(whole, best)
