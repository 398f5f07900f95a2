"""Exceptions raised by textmine. The CLI maps them to messages and exit codes in one place."""

from __future__ import annotations

__all__ = [
    "TextmineError",
    "InputError",
    "ModelError",
    "ModelIntegrityError",
    "CorpusError",
    "OutputExistsError",
    "check_jobs",
]


class TextmineError(Exception):
    """Base class of every error textmine raises on purpose."""

    exit_code = 1


class InputError(TextmineError):
    """A user-supplied file, column or value cannot be used. The message names it."""


class CorpusError(InputError):
    """A labelled corpus or evaluation file breaks the record schema."""


class OutputExistsError(TextmineError):
    """The output file exists and overwriting was not allowed (a usage error: exit code 2)."""

    exit_code = 2


class ModelError(TextmineError):
    """A model file is missing, unreadable or built for other labels."""


class ModelIntegrityError(ModelError):
    """A model file does not match the checksum recorded in its manifest."""


def check_jobs(jobs: int) -> None:
    """``InputError`` unless ``jobs`` is a process count in joblib's convention (1, 2, ...; -1 =
    all cores, -2 = all but one). Shared by ``textmine label`` and ``textmine train``."""
    if jobs == 0:
        raise InputError("--jobs must be a number of processes (1, 2, ...) or negative (-1 = all cores, -2 = all but one)")
