"""The fast paths of feature extraction equal the reference implementations they replace."""

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer

from textmine.features import CharNgrams, TextFeatures, _count
from textmine.normalization import normalize
from textmine.tokenization import DomainTokenizer

# Han characters, Latin letters and digits, the punctuation jieba splits on, spaces and emoji
MIXED = st.text(
    alphabet=st.sampled_from(list("客服电话打不通没人回拖了一个月修好又坏转来转去态度差的了是我abcXYZ019 .,，。！？…\n\t😂+#&%-_")),
    max_size=80,
)


def sample_texts(corpus_records, n=400):
    return [normalize(r.text) for r in random.Random(3).sample(corpus_records, n)]


def test_cut_without_hmm_equals_jieba_on_the_corpus(corpus_records):
    tokenizer = DomainTokenizer(hmm=False)
    jieba_tokenizer = tokenizer._tokenizer()
    for text in sample_texts(corpus_records, 1500):
        assert tokenizer.raw_tokens(text) == jieba_tokenizer.lcut(text.lower(), HMM=False), text


@settings(max_examples=300, deadline=None)
@given(MIXED)
def test_cut_without_hmm_equals_jieba_on_random_strings(text):
    tokenizer = DomainTokenizer(hmm=False)
    assert tokenizer.raw_tokens(text) == tokenizer._tokenizer().lcut(text.lower(), HMM=False)


@settings(max_examples=300, deadline=None)
@given(MIXED, st.sampled_from([(1, 1), (1, 3), (2, 4)]))
def test_char_ngrams_equal_scikit_learn(text, ngram_range):
    reference = CountVectorizer(analyzer="char", lowercase=True, ngram_range=ngram_range).build_analyzer()
    assert CharNgrams(ngram_range)(text) == reference(text)


@pytest.mark.parametrize("analyzer", ["char", CharNgrams((1, 3))])
def test_count_equals_scikit_learn_transform(corpus_records, analyzer):
    texts = sample_texts(corpus_records) + ["", "完全没见过的字词组合鱻龘"]
    kwargs = {"ngram_range": (1, 3)} if analyzer == "char" else {}
    vectorizer = CountVectorizer(analyzer=analyzer, **kwargs).fit(texts[:300])
    expected = vectorizer.transform(texts)
    got = _count(vectorizer, texts)
    assert got.shape == expected.shape
    assert np.array_equal(got.toarray(), expected.toarray())
    assert _count(vectorizer, []).shape == (0, len(vectorizer.vocabulary_))


def test_whole_text_row_of_a_split_text_approximates_the_whole_text(corpus_records):
    texts = sample_texts(corpus_records)
    features = TextFeatures(min_df=1, segment_window=2, segment_stride=2).fit(texts)
    matrix, owner, is_whole = features.transform_pieces(texts)
    assert sorted(set(owner)) == list(range(len(texts)))
    assert is_whole.sum() == len(texts)  # exactly one whole-text row per text
    split = [i for i in range(len(texts)) if (owner == i).sum() > 1]
    assert split, "the sample should contain long texts that are cut into pieces"
    whole_rows = features.transform([texts[i] for i in split])
    # the same non-zero features, up to the n-grams that span two pieces (and a negation
    # that the piece boundary keeps from fusing with its word)
    for k, i in enumerate(split[:50]):
        row = set(matrix[np.flatnonzero((owner == i) & is_whole)[0]].indices)
        reference = set(whole_rows[k].indices)
        assert len(row - reference) <= 0.02 * len(reference)
        assert len(reference - row) <= 0.2 * len(reference)
