"""Throughput of textmine.tokenize against plain jieba.lcut on the same texts, one core.

Run: python benchmarks/bench_tokenize.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import corpus_texts, machine  # noqa: E402


def best_of(fn, texts, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            fn(text)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import jieba

    import textmine
    from textmine.normalization import normalize
    from textmine.tokenization import _default_tokenizer

    texts = corpus_texts()
    jieba.lcut("预热")
    textmine.tokenize("预热")
    tk = _default_tokenizer()
    rows = [
        ("jieba.lcut (baseline)", best_of(jieba.lcut, texts, args.repeat)),
        ("textmine.normalize", best_of(normalize, texts, args.repeat)),
        ("DomainTokenizer on normalised text", best_of(tk, [normalize(t) for t in texts], args.repeat)),
        ("textmine.tokenize (normalise + tokenise)", best_of(textmine.tokenize, texts, args.repeat)),
    ]
    print(f"machine: {machine()}")
    print(f"texts: {len(texts)}, mean length {sum(map(len, texts)) / len(texts):.0f} chars")
    print(f"{'step':45} {'texts/s':>10} {'vs lcut':>8}")
    for name, rate in rows:
        print(f"{name:45} {rate:10.0f} {rate / rows[0][1]:8.2f}")


if __name__ == "__main__":
    main()
