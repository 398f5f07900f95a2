"""Helpers shared by the benchmarks: machine description and synthetic feedback texts."""

from __future__ import annotations

import json
import os
import platform
import random
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def machine() -> str:
    """One line naming the machine the numbers were measured on."""
    try:
        import psutil

        mem = f"{psutil.virtual_memory().total / 2**30:.0f} GiB"
    except ImportError:  # psutil is in the test extra; benchmarks still run without it
        mem = "? GiB"
    cpu = platform.processor() or platform.machine()
    return f"{platform.platform()} | {cpu} | {os.cpu_count()} cores | {mem} | Python {platform.python_version()}"


def corpus_texts(limit: int | None = None) -> list[str]:
    """Texts of the labelled corpus (the realistic mix of lengths the model sees)."""
    texts = []
    for path in sorted((REPO / "corpus").glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            texts.extend(json.loads(line)["text"] for line in fh if line.strip())
    if not texts:
        texts = [
            "客服电话一直占线，工单提交三天没人理",
            "回复挺快，但问题拖了一个月才解决",
            "实施顾问很耐心，问题当天就解决了",
        ]
    random.Random(0).shuffle(texts)
    return texts[:limit] if limit else texts
