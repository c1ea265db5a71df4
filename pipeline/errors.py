"""Errors a user can act on: each names the file, row, column or field at fault, in one line."""


class LaporError(Exception):
    """Base class; the CLI prints the message alone and exits non-zero."""

    exit_code = 2


class DataError(LaporError):
    """Input data cannot be used (missing column, unreadable or empty file, bad encoding)."""


class ArtifactError(LaporError):
    """A model directory is incomplete, tampered with, or was built by an incompatible version."""

    exit_code = 3
