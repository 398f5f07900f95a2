import math
import threading

import numpy as np
import pandas as pd
import pytest

import textmine
from textmine.model import KINDS, ComplaintClassifier, _head_proba, best_thresholds, label_matrix

BOUNDARY_CASES = [
    # (text, labels that must be predicted, labels that must not be)
    ("客服回复挺快的，但是问题到现在也没解决，重启了三次还是老样子", {"capability"}, {"speed"}),
    ("电话倒是一打就通，客服态度也好，问题当场就解决了", set(), {"channel", "communication", "capability"}),
    ("热线永远占线，留言也没人回", {"channel", "speed"}, set()),
    ("回复挺快，但问题拖了一个月才解决", {"cycle"}, {"speed"}),
    ("工程师讲了半天我们也听不懂，问他进度也说不清楚", {"communication"}, set()),
    ("转了四个部门，每次都要重新描述一遍问题", {"efficiency"}, set()),
    ("价格太贵了，续费能不能便宜点", set(), set(textmine.LABELS)),
    ("能不能加个导出Excel的功能？", set(), set(textmine.LABELS)),
]


@pytest.fixture(scope="module")
def clf():
    return textmine.load()


@pytest.fixture(scope="module")
def small_texts_labels(small_corpus):
    """Texts and 0/1 label matrix of the small corpus slice."""
    from textmine.corpus import read_records

    records = read_records(small_corpus)
    return [r.text for r in records], label_matrix([r.labels for r in records])


def test_shipped_model_api_contract(clf):
    assert clf.labels == textmine.LABELS
    texts = ["热线永远占线，留言也没人回", None, math.nan, "", "客服很耐心，当天就解决了"]
    proba = clf.predict_proba(texts)
    assert isinstance(proba, pd.DataFrame)
    assert list(proba.columns) == list(textmine.LABELS) and len(proba) == len(texts)
    assert ((proba.to_numpy() >= 0) & (proba.to_numpy() <= 1)).all()
    assert (proba.iloc[1:4].to_numpy() == 0).all()
    predicted = clf.predict(texts)
    assert isinstance(predicted, list) and len(predicted) == len(texts)
    assert predicted[1] == predicted[2] == predicted[3] == []
    for labels in predicted:
        assert labels == [label for label in textmine.LABELS if label in labels]  # LABELS order


def test_predict_accepts_any_iterable_and_keeps_series_index(clf):
    series = pd.Series(["消息已读不回", "挺好的"], index=[10, 20])
    assert list(clf.predict_proba(series).index) == [10, 20]
    assert clf.predict(iter(["消息已读不回"])) == clf.predict(("消息已读不回",))
    with pytest.raises(TypeError, match="single string"):
        clf.predict("消息已读不回")


@pytest.mark.parametrize("text, must, must_not", BOUNDARY_CASES)
def test_guide_boundary_cases(clf, text, must, must_not):
    predicted = set(clf.predict([text])[0])
    assert must <= predicted, f"{text}: expected {must}, got {predicted}"
    assert not (must_not & predicted), f"{text}: must not predict {must_not & predicted}"


def test_explain_names_phrases_of_the_text(clf):
    text = "热线永远占线，留言也没人回"
    explanation = clf.explain(text)
    assert set(explanation) == set(clf.predict([text])[0])
    for label, phrases in explanation.items():
        assert phrases, label
        weights = [w for _, w in phrases]
        assert weights == sorted(weights, reverse=True)
        for phrase, _ in phrases:
            assert phrase in textmine.normalize(text)
    assert clf.explain("") == {} and clf.explain(None) == {}


def test_thread_safe_prediction(clf, corpus_records):
    texts = [r.text for r in corpus_records[:300]]
    serial = clf.predict_proba(texts).to_numpy()
    results = [None] * 4

    def work(k):
        results[k] = clf.predict_proba(texts).to_numpy()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        np.testing.assert_allclose(r, serial)


def test_metamorphic_robustness_on_a_sample(clf, corpus_records):
    from textmine.evaluation import robustness

    shares = robustness(clf, [r.text for r in corpus_records[::25]])
    assert set(shares) == {"Traditional characters", "full-width forms", "emoji appended"}
    for name, same in shares.items():
        assert same >= 0.98, f"{name}: only {same:.1%} unchanged"


def test_sklearn_estimator_conventions(small_texts_labels):
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV

    texts, y = small_texts_labels
    est = ComplaintClassifier(threshold_cv=0, segment_window=0)
    assert clone(est).get_params() == est.get_params()
    search = GridSearchCV(est, {"C": [1.0, 4.0]}, cv=2).fit(texts, y)
    assert search.best_params_["C"] in (1.0, 4.0)
    assert 0.0 <= search.best_score_ <= 1.0
    assert isinstance(search.predict(texts[:3]), list)


def test_label_matrix_and_thresholds():
    y = label_matrix([["speed"], [], ["channel", "cycle"]])
    assert y.tolist() == [[0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [1, 0, 1, 0, 0, 0]]
    with pytest.raises(ValueError, match="unknown label 'slow'"):
        label_matrix([["slow"]])
    proba = np.array([[0.9] * 6, [0.2] * 6, [0.7] * 6])
    assert np.all(best_thresholds(y, proba) >= 0.1)


def test_fit_rejects_bad_input():
    with pytest.raises(ValueError, match="kind must be one of"):
        ComplaintClassifier(kind="forest").fit(["a", "b"], [[], []])
    with pytest.raises(ValueError, match="at least 2 positive"):
        ComplaintClassifier().fit(["电话打不通", "挺好"], [["channel"], []])


def test_nb_weighted_regression_folds_its_scaling_into_the_coefficients():
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    from textmine.model import NBWeightedLogisticRegression

    rng = np.random.default_rng(0)
    X = sp.random(300, 40, density=0.2, format="csr", random_state=1)
    y = (X[:, 0].toarray().ravel() + X[:, 1].toarray().ravel() + 0.1 * rng.random(300) > 0.15).astype(int)
    model = NBWeightedLogisticRegression(C=4.0).fit(X, y)
    present = (X > 0).astype(float)
    pos = 1 + np.asarray(present[y == 1].sum(0)).ravel()
    neg = 1 + np.asarray(present[y == 0].sum(0)).ravel()
    weight = np.abs(np.log((pos / pos.sum()) / (neg / neg.sum())))
    reference = LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear", random_state=0)
    reference.fit(X @ sp.diags(weight), y)
    expected = reference.predict_proba(X @ sp.diags(weight))
    assert np.allclose(model.predict_proba(X), expected, atol=1e-5)
    assert model.coef_.dtype == np.float32
    assert np.array_equal(model.predict(X), (expected[:, 1] > 0.5).astype(int))


def test_blend_is_the_mean_of_its_two_heads(small_texts_labels):
    from textmine.model import MeanOfHeads, _head_proba

    texts, y = small_texts_labels
    clf = ComplaintClassifier(kind="blend", threshold_cv=0, segment_window=0).fit(texts, y)
    assert isinstance(clf.head_, MeanOfHeads) and len(clf.head_.heads) == 2
    matrix = clf.features_.transform(textmine.normalize(t) for t in texts[:20])
    parts = [_head_proba(head, matrix) for head in clf.head_.heads]
    assert not np.allclose(parts[0], parts[1])  # two different models
    assert np.allclose(clf.predict_proba(texts[:20]).to_numpy(), (parts[0] + parts[1]) / 2)


@pytest.mark.parametrize("kind", ["blend", "logreg"])
def test_fitting_in_two_processes_gives_the_same_model(small_texts_labels, kind):
    texts, y = small_texts_labels
    serial = ComplaintClassifier(kind=kind, threshold_cv=2).fit(texts, y)
    parallel = ComplaintClassifier(kind=kind, threshold_cv=2, n_jobs=2).fit(texts, y)
    assert np.array_equal(serial.thresholds_, parallel.thresholds_)
    sample = texts[:40] + ["电话倒是一打就通，就是修了三次还没好"]
    assert np.array_equal(serial.predict_proba(sample).to_numpy(), parallel.predict_proba(sample).to_numpy())


def test_joined_pairs_carry_the_union_of_labels_and_are_deterministic():
    from textmine.model import joined_pairs

    texts = ["电话打不通", "三天没人回", "态度很差", "挺好的"]
    y = label_matrix([["channel"], ["speed"], ["communication"], []])
    joined, labels = joined_pairs(texts, y, share=2.0, seed=3)
    assert len(joined) == 8 and labels.shape == (8, 6)
    for text, row in zip(joined, labels):
        parts = [i for i, t in enumerate(texts) if text.startswith(t)], [i for i, t in enumerate(texts) if text.endswith(t)]
        first, second = parts[0][0], parts[1][0]
        assert row.tolist() == (y[first] | y[second]).tolist(), text
    again = joined_pairs(texts, y, share=2.0, seed=3)
    assert again[0] == joined and np.array_equal(again[1], labels)
    assert joined_pairs(texts, y, share=0.0)[0] == []


def test_each_label_sees_only_its_own_cue_feature(small_texts_labels):
    from sklearn.linear_model import LogisticRegression

    from textmine.model import OneVsRestOwnCues

    texts, y = small_texts_labels
    clf = ComplaintClassifier(threshold_cv=0, segment_window=0, augment=0).fit(texts, y)
    assert isinstance(clf.head_, OneVsRestOwnCues)
    cues = clf.features_.cue_columns()
    n_columns = clf.features_.transform(["x"]).shape[1]
    assert cues == list(range(n_columns - 6, n_columns))
    matrix = clf.features_.transform(textmine.normalize(t) for t in texts)
    for j, estimator in enumerate(clf.head_.estimators_):
        # the same model as one fitted on a matrix in which the other labels' cues are blank
        masked = matrix.tolil()
        for k, column in enumerate(cues):
            if k != j:
                masked[:, column] = 0
        reference = LogisticRegression(C=clf.C, class_weight="balanced", solver="liblinear", random_state=0)
        reference.fit(masked.tocsr(), y[:, j])
        assert np.allclose(estimator.coef_, reference.coef_, atol=1e-4)
        assert estimator.coef_[0, cues[j]] > 0  # its own cue is evidence for the label
        assert all(estimator.coef_[0, column] == 0 for k, column in enumerate(cues) if k != j)


def test_random_state_none_and_random_state_objects_are_accepted(small_texts_labels):

    texts, y = small_texts_labels[0][:120], small_texts_labels[1][:120]
    for state in (None, np.random.RandomState(1)):
        clf = ComplaintClassifier(threshold_cv=0, segment_window=0, random_state=state).fit(texts, y)
        assert clf.predict_proba(texts[:3]).shape == (3, 6)


def test_own_cue_head_handles_a_label_without_positives():
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    from textmine.model import OneVsRestOwnCues

    X = sp.random(40, 20, density=0.3, format="csr", random_state=2)
    Y = np.zeros((40, 6), dtype=np.int8)
    Y[::2, 0] = 1  # the first label has positives and negatives
    Y[:, 5] = 1  # the last one only positives
    head = OneVsRestOwnCues(LogisticRegression(solver="liblinear"), cue_columns=range(14, 20)).fit(X, Y)
    proba = head.predict_proba(X)
    assert proba.shape == (40, 6)
    assert np.all(proba[:, 1:5] == 0) and np.all(proba[:, 5] == 1) and 0 < proba[:, 0].min() < 1


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_fits_a_fold_in_which_a_label_never_occurs(kind):
    # Cross-validation folds of a small corpus can lack a label entirely; liblinear refuses a
    # single-class column, so each head must fall back to a constant probability for it.
    texts = ["电话打不通", "回复太慢了", "拖了三个月还没好", "修了三次修不好", "推来推去找不到人", "挺好的"] * 4
    y = np.zeros((len(texts), len(textmine.LABELS)), dtype=int)
    for i in range(len(texts)):
        if i % 6 < 5:
            y[i, i % 6] = 1
    assert y[:, 5].sum() == 0
    features, head = ComplaintClassifier(kind=kind, augment=0, segment_window=0)._fit_parts(texts, y)
    proba = _head_proba(head, features.transform(texts))
    assert proba.shape == (len(texts), 6)
    assert np.allclose(proba[:, 5], 0.0)
    assert proba[0, 0] > proba[0, 1]  # the other labels were still learned


# --- input validation, texts without content, label matrices, scorers -----------------------------
@pytest.mark.parametrize("bad, match", [
    ("热线永远占线".encode(), "single bytes"),
    (pd.DataFrame({"t": ["热线永远占线", "挺好的"]}), r"DataFrame; select the text column"),
    ({"热线永远占线": 1}, "dict"),
    (np.array([["热线永远占线", "挺好的"]], dtype=object), "2-D ndarray"),
    ({"热线永远占线"}, "set"),
    ([["热线永远占线"]], "text 0 is a list"),
    (["挺好的", ("热线永远占线",)], "text 1 is a tuple"),
    (42, "got int"),
])
def test_predict_refuses_inputs_that_are_not_one_text_per_row(clf, bad, match):
    with pytest.raises(TypeError, match=match):
        clf.predict(bad)
    with pytest.raises(TypeError, match=match):
        clf.predict_proba(bad)


def test_bytes_texts_are_decoded_as_utf8_and_pandas_na_is_missing(clf):
    text = "热线永远占线，留言也没人回"
    assert clf.predict([text.encode()]) == clf.predict([text]) == [["channel", "speed"]]
    with pytest.raises(ValueError, match="text 1 is bytes that are not UTF-8"):
        clf.predict(["挺好的", text.encode("gbk")])
    series = pd.Series([text, pd.NA], dtype="string")
    assert (clf.predict_proba(series).iloc[1] == 0).all()
    assert clf.predict(np.array([text, "挺好的"])) == clf.predict([text, "挺好的"])


def test_explain_takes_one_text(clf):
    text = "热线永远占线"
    with pytest.raises(TypeError, match="explain takes one text"):
        clf.explain([text])
    with pytest.raises(TypeError, match="explain takes one text"):
        clf.explain(pd.Series([text]))
    assert clf.explain(text.encode()) == clf.explain(text)
    assert clf.explain(math.nan) == {}


NO_CONTENT = ["无", "无无", "无。", "無意見", "暂时没有！", "没有", "  没 ", "N/A", "none", "NULL", "0", "00",
              "100", "000", "。。。", "😡😡", "1 2 3 !!"]


@pytest.mark.parametrize("text", NO_CONTENT)
def test_texts_without_content_get_no_labels(clf, text):
    from textmine.model import has_content

    assert not has_content(textmine.normalize(text))
    assert (clf.predict_proba([text]).to_numpy() == 0).all()
    assert clf.predict([text]) == [[]]
    assert clf.explain(text) == {}


def test_short_texts_with_content_are_still_scored(clf):
    from textmine.model import has_content

    for text in ["没有人回", "无法接通", "没人", "无语", "5星", "no reply"]:
        assert has_content(textmine.normalize(text)), text
    assert "channel" in clf.predict(["无法接通"])[0]
    assert clf.predict_proba(["无语"]).to_numpy().sum() > 0


def test_no_labelled_corpus_text_counts_as_without_content(corpus_records):
    from textmine.model import has_content

    without = [r for r in corpus_records if not has_content(textmine.normalize(r.text))]
    assert len(without) <= 5, [r.text for r in without]
    assert all(not r.labels for r in without), [(r.text, r.labels) for r in without]


def test_explain_weights_are_not_inflated_by_the_zero_for_texts_without_content(clf):
    # Blanking a text's only phrase leaves no content; explain must compare with the model's own
    # output for that, not with the zero predict_proba gives (log-odds of 1e-15: a drop near 45).
    for label, phrases in clf.explain("热线永远占线").items():
        assert phrases and all(0 < weight < 25 for _, weight in phrases), (label, phrases)


@pytest.mark.parametrize("y", [
    [[1, 0, 0, 0, 0, 0], [0, 1, 1, 0, 0, 0]],
    [(True, False, False, False, False, False), (False, True, True, False, False, False)],
    [np.array([1, 0, 0, 0, 0, 0]), np.array([0, 1, 1, 0, 0, 0])],
    np.array([[1.0, 0, 0, 0, 0, 0], [0, 1.0, 1.0, 0, 0, 0]]),
    [["channel"], "speed;cycle"],
])
def test_label_matrix_accepts_common_shapes(y):
    assert label_matrix(y).tolist() == [[1, 0, 0, 0, 0, 0], [0, 1, 1, 0, 0, 0]]


def test_label_matrix_accepts_sparse_matrices_and_dataframes():
    import scipy.sparse as sp

    dense = np.array([[1, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0]])
    assert label_matrix(sp.csr_matrix(dense)).tolist() == dense.tolist()
    frame = pd.DataFrame(dense[:, ::-1], columns=list(textmine.LABELS)[::-1]).assign(text=["a", "b"])
    assert label_matrix(frame).tolist() == dense.tolist()  # by column name; other columns ignored
    assert label_matrix([None, math.nan, [], ""]).tolist() == [[0] * 6] * 4


@pytest.mark.parametrize("y, match", [
    (np.array([[0.7, 0, 0, 0, 0, 0]]), r"row 0, column 0 \(channel\): 0.7 is not 0 or 1"),
    (np.array([[0, 0, 0, 0, 0, 0], [0, 0, 2, 0, 0, 0]]), r"row 1, column 2 \(cycle\): 2 is not 0 or 1"),
    ([[0, 0, 0, 0, 0, -1]], r"row 0, column 5 \(communication\): -1"),
    (np.array([[0, 0, 0, 0, 0, np.nan]]), "column 5"),
    (pd.DataFrame({"channel": [1], "speed": [0]}), r"lacks column\(s\) cycle, capability, efficiency, communication"),
    ([[1, 0, 0]], r"row 0: a 0/1 row needs 6 values"),
    ([[1, 0, 0, 0, 0, 0], ["speed"]], r"row 0: 1 is not a label id"),
    (np.zeros((2, 5)), "must have 6 columns"),
    ([["slow"]], "unknown label 'slow'"),
    ([7], "row 0: expected the label ids of one text"),
])
def test_label_matrix_rejects_values_that_are_not_labels(y, match):
    with pytest.raises(ValueError, match=match):
        label_matrix(y)


def test_fit_names_the_labels_without_enough_positives():
    with pytest.raises(ValueError, match=r"too few: channel \(1\), speed \(0\)"):
        ComplaintClassifier().fit(["电话打不通", "挺好"], [["channel"], []])


def test_scikit_learn_scorers(small_texts_labels):
    from sklearn.metrics import f1_score, roc_auc_score
    from sklearn.model_selection import GridSearchCV

    from textmine.model import indicator_scorer

    texts, y = small_texts_labels
    est = ComplaintClassifier(threshold_cv=0, segment_window=0, augment=0)
    assert not hasattr(est, "classes_")
    for scoring in ("roc_auc", "average_precision", indicator_scorer(f1_score, average="micro")):
        search = GridSearchCV(est, {"C": [4.0]}, cv=2, scoring=scoring).fit(texts, y)
        assert 0.0 < search.best_score_ <= 1.0, scoring
    fitted = search.best_estimator_
    assert fitted.classes_.tolist() == list(textmine.LABELS)
    assert indicator_scorer(f1_score, average="macro")(fitted, texts, y) == pytest.approx(fitted.score(texts, y))
    from sklearn.metrics import get_scorer

    expected = roc_auc_score(y, fitted.predict_proba(texts).to_numpy())
    assert get_scorer("roc_auc")(fitted, texts, y) == pytest.approx(expected)


def test_shipped_model_has_classes(clf):
    assert clf.classes_.tolist() == list(textmine.LABELS)
