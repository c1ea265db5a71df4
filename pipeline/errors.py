"""Errors a user can act on: each names the file, row, column or field at fault, in one line."""

import errno


class LaporError(Exception):
    """Base class; the CLI prints the message alone and exits non-zero."""

    exit_code = 2


class DataError(LaporError):
    """Input data cannot be used (missing column, unreadable or empty file, bad encoding)."""


class ArtifactError(LaporError):
    """A model directory is incomplete, tampered with, or was built by an incompatible version."""

    exit_code = 3


_OS_HINTS = {
    errno.ENOSPC: "the disk is full; free space or write elsewhere (finished rows are kept for --resume)",
    errno.EDQUOT: "the disk quota is exhausted; free space or write elsewhere (finished rows are kept for --resume)",
    errno.EROFS: "the file system is read-only; choose a writable output path",
    errno.EACCES: "permission denied; choose a path you can write, or fix its permissions",
    errno.EPERM: "operation not permitted; choose a path you can write",
    errno.ENOENT: "no such file or directory",
    errno.ENOTDIR: "a part of the path is a file, not a directory; check the path",
    errno.EISDIR: "this is a directory; give a file name",
    errno.EEXIST: "a file with this name is in the way; check the path",
    errno.ENAMETOOLONG: "the path is too long",
}


def describe_os_error(exc: OSError) -> str:
    """One line for a failed file operation: the path and what to do about it (no traceback)."""
    where = exc.filename or "(file)"
    hint = _OS_HINTS.get(exc.errno, exc.strerror or str(exc))
    return f"{where}: {hint}"
