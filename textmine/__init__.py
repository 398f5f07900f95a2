"""textmine: tag Chinese after-sales feedback with the study's six complaint categories.

>>> import textmine
>>> textmine.LABELS
('channel', 'speed', 'cycle', 'capability', 'efficiency', 'communication')
>>> clf = textmine.load()                                      # doctest: +SKIP
>>> clf.predict(["热线永远占线，留言也没人回"])                    # doctest: +SKIP
[['channel', 'speed']]

Importing the package is cheap: jieba, scikit-learn and pandas are loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import InputError, ModelError, TextmineError
from .normalization import normalize
from .sizes import size_bucket
from .taxonomy import ALL_SIZE_BUCKETS, LABEL_INFO, LABELS, SIZE_BUCKETS, UNKNOWN_SIZE
from .tokenization import DomainTokenizer, tokenize

__version__ = "0.1.0"

__all__ = [
    "LABELS",
    "LABEL_INFO",
    "SIZE_BUCKETS",
    "ALL_SIZE_BUCKETS",
    "UNKNOWN_SIZE",
    "normalize",
    "tokenize",
    "DomainTokenizer",
    "size_bucket",
    "load",
    "ComplaintClassifier",
    "label_frame",
    "label_file",
    "aggregate",
    "TextmineError",
    "InputError",
    "ModelError",
]

# public name -> module that defines it; imported on first attribute access (PEP 562)
_LAZY = {
    "load": "persistence",
    "ComplaintClassifier": "model",
    "label_frame": "labeling",
    "label_file": "labeling",
    "aggregate": "aggregation",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'textmine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .aggregation import aggregate
    from .labeling import label_file, label_frame
    from .model import ComplaintClassifier
    from .persistence import load
