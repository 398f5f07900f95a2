"""Command line: ``textmine <command> ...``. Thin: parse, call one library function, format.

Exit codes: 0 ok, 1 input/model error (the message names the file, row or value), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from . import __version__
from .errors import TextmineError

logger = logging.getLogger("textmine")

Handler = Callable[[argparse.Namespace], int]
_COMMANDS: dict[str, tuple[Callable[[argparse._SubParsersAction], argparse.ArgumentParser], Handler]] = {}


def command(name: str):
    """Register ``build(subparsers) -> parser`` and the handler it dispatches to."""

    def register(build):
        def wrap(handler: Handler) -> Handler:
            _COMMANDS[name] = (build, handler)
            return handler

        return wrap

    return register


def _subparser(sub: argparse._SubParsersAction, name: str, help: str, description: str) -> argparse.ArgumentParser:
    """A sub-command parser whose description (with its example) keeps its line breaks."""
    return sub.add_parser(name, help=help, description=description,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


# --- tokenize -----------------------------------------------------------------------------------
def _build_tokenize(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = _subparser(
        sub, "tokenize", "show how textmine tokenises a text",
        "Normalise and tokenise texts with the domain tokeniser.\n\n"
        "example: textmine tokenize '客服電話一直佔線，消息已讀不回'",
    )
    p.add_argument("texts", nargs="+", help="texts to tokenise")
    p.add_argument("--user-dict", help="extra word file (word [freq] [pos] per line)")
    return p


@command("tokenize")(_build_tokenize)
def _run_tokenize(args: argparse.Namespace) -> int:
    from .tokenization import tokenize

    for text in args.texts:
        print(" / ".join(tokenize(text, user_words=args.user_dict)))
    return 0


# --- size -----------------------------------------------------------------------------------------
def _build_size(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = _subparser(
        sub, "size", "map company sizes as customers write them to the study's buckets",
        "Read company sizes and print their bucket and the reading.\n\n"
        "example: textmine size 两千多人 51～200 中型企业",
    )
    p.add_argument("values", nargs="+", help="size values")
    return p


@command("size")(_build_size)
def _run_size(args: argparse.Namespace) -> int:
    from .sizes import parse_size

    for value in args.values:
        r = parse_size(value)
        print(json.dumps({"value": value, "bucket": r.bucket, "reason": r.reason}, ensure_ascii=False))
    return 0


# --- train --------------------------------------------------------------------------------------
def _build_train(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from .train import add_arguments

    p = _subparser(
        sub, "train", "retrain the classifier from the labelled corpus",
        "Fit the complaint classifier on the corpus, print cross-validated and\n"
        "evaluation scores, and write the model with its manifest.\n\n"
        "example: textmine train --corpus corpus/ --out models/ --eval my_labelled.jsonl",
    )
    add_arguments(p)
    return p


@command("train")(_build_train)
def _run_train(args: argparse.Namespace) -> int:
    from .train import format_report, options_from_args, train

    report = train(options_from_args(args))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    return 0


# --- evaluate -----------------------------------------------------------------------------------
def _build_evaluate(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = _subparser(
        sub, "evaluate", "score a model on a labelled file",
        "Per-label precision/recall/F1, micro/macro F1, exact match and the most\n"
        "common confusions on a JSONL/CSV/TSV/XLSX file with id, text and labels.\n\n"
        "example: textmine evaluate my_labelled.jsonl --json",
    )
    p.add_argument("file", help="labelled file (labels as a JSON list, or ids joined by ';')")
    p.add_argument("--model", help="model file or folder (default: the shipped model)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return p


@command("evaluate")(_build_evaluate)
def _run_evaluate(args: argparse.Namespace) -> int:
    from .evaluation import evaluate_file, format_scores
    from .persistence import load

    result = evaluate_file(load(args.model), args.file)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else format_scores(result, args.file))
    return 0


def _add_file_options(p: argparse.ArgumentParser, output_help: str) -> None:
    """The options ``label`` and ``report`` share: input, output and how to read the input."""
    p.add_argument("input", help="feedback file (.csv .tsv .txt .jsonl .xlsx .parquet)")
    p.add_argument("-o", "--output", required=True, help=output_help)
    p.add_argument("--text-col", help="column with the feedback (default: detected from the header)")
    p.add_argument("--sheet", help="worksheet of an .xlsx input (default: the first)")
    p.add_argument("--encoding", help="encoding of a CSV/TSV/TXT input (default: detected)")
    p.add_argument("--model", help="model file or folder (default: the shipped model)")
    p.add_argument("--force", action="store_true", help="overwrite OUTPUT if it exists")


# --- label --------------------------------------------------------------------------------------
def _build_label(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = _subparser(
        sub, "label", "add complaint labels to every row of a feedback file",
        "Label a CSV/TSV/TXT/JSONL/XLSX/Parquet file and write the same rows with\n"
        "labels, one 0/1 column per label and p_<label> probabilities added.\n"
        "Exit codes: 0 ok, 1 input or model error, 2 usage error (incl. OUTPUT exists).\n\n"
        "example: textmine label survey.csv -o survey_labelled.xlsx --text-col 意见反馈 --jobs 2",
    )
    _add_file_options(p, "output file; format by extension")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1; -1 = all cores)")
    p.add_argument("--chunk-size", type=int, default=5000, help="rows per chunk (default 5000)")
    p.add_argument("--evidence", action="store_true", help="add an 'evidence' column with the phrases behind each label")
    p.add_argument("--prefix", default="", help="prefix for the added column names (avoids clashes)")
    p.add_argument("--no-neutralise", dest="neutralise", action="store_false",
                   help="keep cells starting with = + - @ as they are (default: prefix ' against formula injection)")
    p.add_argument("--quiet", action="store_true", help="no progress and no summary line")
    return p


class _Progress:
    """Rows done, rows/s and ETA on one stderr line, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self, rows: int, fraction: float | None) -> None:
        elapsed = time.perf_counter() - self.start
        rate = rows / elapsed if elapsed > 0 else 0.0
        eta = f", ETA {elapsed * (1 - fraction) / fraction:.0f} s" if fraction else ""
        print(f"\r{rows} rows, {rate:.0f} rows/s{eta}   ", end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        print(file=sys.stderr)


@command("label")(_build_label)
def _run_label(args: argparse.Namespace) -> int:
    from .labeling import label_file

    progress = _Progress() if not args.quiet and sys.stderr.isatty() else None
    try:
        summary = label_file(
            args.input, args.output, text_col=args.text_col, sheet=args.sheet, jobs=args.jobs,
            chunk_size=args.chunk_size, model=args.model, evidence=args.evidence, force=args.force,
            encoding=args.encoding, prefix=args.prefix, neutralise_formulas=args.neutralise, progress=progress,
        )
    finally:
        if progress is not None:
            progress.done()
    if not args.quiet:
        print(summary.line(), file=sys.stderr)
    return 0


# --- report -------------------------------------------------------------------------------------
def _build_report(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = _subparser(
        sub, "report", "label a feedback file (if needed) and write the study's views by company size",
        "Aggregate complaints and satisfaction by company size and write a report:\n"
        ".html (self-contained, charts inline), .md, .xlsx (one sheet per table) or .csv.\n\n"
        "example: textmine report corpus/samples/survey_demo.csv -o report.html",
    )
    _add_file_options(p, "report file: .html, .md, .xlsx or .csv")
    p.add_argument("--size-col", help="company-size column (default: detected, e.g. 企业规模)")
    p.add_argument("--score-col", help="satisfaction score column, 1-10 (default: detected, e.g. 满意度评分)")
    p.add_argument("--relabel", action="store_true", help="predict labels even if the input has label columns")
    p.add_argument("--method", default="auto", choices=("auto", "count", "mean_proba", "adjusted"),
                   help="how complaint shares are estimated (default: auto = count)")
    p.add_argument("--dissatisfied-max", type=float, default=6, help="scores up to this are dissatisfied (default 6)")
    p.add_argument("--intolerable-max", type=float, default=3, help="scores up to this are intolerable (default 3)")
    p.add_argument("--title", default="售后服务反馈分析 · After-sales feedback report", help="report title")
    return p


@command("report")(_build_report)
def _run_report(args: argparse.Namespace) -> int:
    from .report import write_report

    report = write_report(
        args.input, args.output, force=args.force, sheet=args.sheet, encoding=args.encoding,
        text_col=args.text_col, size_col=args.size_col, score_col=args.score_col, relabel=args.relabel,
        model=args.model, method=args.method, dissatisfied_max=args.dissatisfied_max,
        intolerable_max=args.intolerable_max, title=args.title,
    )
    h = report.headline
    print(f"{h['responses']} responses, {h['complaint_share']:.0%} with a complaint -> {args.output}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="textmine",
        description="Tag Chinese after-sales feedback with the study's six complaint categories.",
    )
    parser.add_argument("--version", action="version", version=f"textmine {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for build, _handler in _COMMANDS.values():
        build(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``textmine`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="textmine: %(levelname)s: %(message)s",
    )
    logging.getLogger("jieba").setLevel(logging.WARNING)  # the CLI owns logging; jieba is chatty
    previous = _interrupt_on_sigterm()
    try:
        return _COMMANDS[args.command][1](args)
    except TextmineError as exc:
        print(f"textmine {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("textmine: interrupted; no output was written", file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt_on_sigterm() -> Any:
    """Make SIGTERM (``kill``, a job scheduler's timeout) interrupt like Ctrl-C, so temporary
    output files are removed; returns the previous handler (None when it cannot be set, e.g.
    outside the main thread)."""
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, interrupt)
    except (ValueError, OSError):
        return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
