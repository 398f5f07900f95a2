"""Exceptions raised by textmine. The CLI maps them to messages and exit codes in one place."""

from __future__ import annotations

__all__ = [
    "TextmineError",
    "InputError",
    "ModelError",
    "ModelIntegrityError",
    "CorpusError",
    "OutputExistsError",
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
