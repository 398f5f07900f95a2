import json
import random
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def corpus_records():
    from textmine.corpus import read_corpus

    return read_corpus(REPO / "corpus")


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory, corpus_records):
    """A 400-record slice of the corpus as a JSONL file (fast to train on)."""
    rng = random.Random(7)
    sample = rng.sample(corpus_records, 400)
    path = tmp_path_factory.mktemp("small") / "small.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for r in sample:
            fh.write(json.dumps({"id": r.id, "text": r.text, "labels": list(r.labels),
                                 "company_size": r.company_size, "score": r.score}, ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="session")
def small_model(small_corpus, tmp_path_factory):
    """A model trained by the real training code on the small slice, saved with its manifest."""
    from textmine.train import TrainingOptions, train

    out = tmp_path_factory.mktemp("model")
    report = train(TrainingOptions(corpus=small_corpus, out=out, folds=3))
    return out, report
