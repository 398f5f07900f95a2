"""Batch labelling: the straightforward pandas way against `textmine label`, speed and memory.

Writes a synthetic survey export (UTF-8 with BOM; texts drawn from the corpus, so lengths are
like real feedback), then runs, each in its own process:
  (a) pandas.read_csv + textmine.load().predict on the whole column + to_csv (one process);
  (b) textmine label --jobs 1;
  (c) textmine label --jobs 2;
and reports rows/s and peak RSS (the process and its workers, sampled every 50 ms), plus peak
RSS of `textmine label --jobs 1` at --small and --large rows to show memory stays flat.

Run: python benchmarks/bench_label.py [--rows 200000] [--small 100000] [--large 400000]
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import corpus_texts, machine  # noqa: E402

SIZES = ["1-50人", "51-200人", "201-500人", "501-1000人", "1001-2000人", "2000人以上", "两千多人", "150人", ""]

NAIVE = """
import sys, pandas as pd, textmine
df = pd.read_csv(sys.argv[1], encoding="utf-8-sig")
df["labels"] = [";".join(x) for x in textmine.load().predict(df["意见反馈"].tolist())]
df.to_csv(sys.argv[2], index=False, encoding="utf-8-sig")
"""


def write_csv(path: Path, rows: int, texts: list[str]) -> None:
    rng = random.Random(rows)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(["序号", "企业规模", "满意度评分", "意见反馈"])
        for i in range(rows):
            w.writerow([i + 1, rng.choice(SIZES), rng.randint(1, 10), rng.choice(texts)])


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of ``cmd`` and all its children."""
    import psutil

    start = time.perf_counter()
    proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        try:
            rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()}")
    return elapsed, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=400_000)
    args = parser.parse_args()
    exe = shutil.which("textmine", path=str(Path(sys.executable).parent)) or "textmine"
    texts = corpus_texts()
    work = Path(tempfile.mkdtemp(prefix="textmine-bench-"))
    try:
        data = work / "feedback.csv"
        write_csv(data, args.rows, texts)
        print(f"machine: {machine()}")
        print(f"input: {args.rows} rows, {data.stat().st_size / 2**20:.0f} MiB, mean text {sum(map(len, texts)) / len(texts):.0f} chars")
        results = []
        for name, cmd in [
            ("(a) pandas + predict, one process", [sys.executable, "-c", NAIVE, str(data), str(work / "a.csv")]),
            ("(b) textmine label --jobs 1", [exe, "label", str(data), "-o", str(work / "b.csv"), "--jobs", "1", "--quiet"]),
            ("(c) textmine label --jobs 2", [exe, "label", str(data), "-o", str(work / "c.csv"), "--jobs", "2", "--quiet"]),
        ]:
            seconds, peak = run(cmd)
            results.append((name, args.rows / seconds, peak))
        print(f"\n{'run':36}{'rows/s':>9}{'vs (a)':>8}{'peak RSS MiB':>14}")
        for name, rate, peak in results:
            print(f"{name:36}{rate:9.0f}{rate / results[0][1]:8.2f}{peak:14.0f}")
        print("target: (c) >= 1.6 x (a)")
        peaks = {}
        for rows in (args.small, args.large):
            path = work / f"rows{rows}.csv"
            write_csv(path, rows, texts)
            _, peaks[rows] = run([exe, "label", str(path), "-o", str(work / f"o{rows}.csv"), "--jobs", "1", "--quiet"])
            path.unlink()
        print(f"\npeak RSS of textmine label --jobs 1: {args.small} rows {peaks[args.small]:.0f} MiB, "
              f"{args.large} rows {peaks[args.large]:.0f} MiB, ratio {peaks[args.large] / peaks[args.small]:.2f} (target <= 1.3)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
