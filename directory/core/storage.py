"""Faults of the storage under the service (a read-only database, a full disk): told apart from
programming errors so a write gets 503 with the reason instead of a bare 500, and /ready can
say the service cannot take writes."""

from __future__ import annotations

import errno
import sqlite3

import asyncpg

from directory.core.errors import N_

_SQLITE_REASONS = (
    ("readonly", N_("the database is read-only")),
    ("read-only", N_("the database is read-only")),
    ("disk is full", N_("the disk is full")),
    ("disk i/o error", N_("the disk cannot be written")),
    ("unable to open database", N_("the database file cannot be opened")),
    ("database is locked", N_("the database is busy")),
)
_OS_REASONS = {
    errno.ENOSPC: N_("the disk is full"),
    errno.EDQUOT: N_("the disk quota is used up"),
    errno.EROFS: N_("the file system is read-only"),
    errno.EIO: N_("the disk cannot be written"),
    errno.EPERM: N_("the file system refuses writes"),
}


def storage_fault(error: BaseException) -> str | None:
    """Why storage refused (an English message id), when ``error`` is a storage fault that a
    client may retry later; None for anything else."""
    if isinstance(error, sqlite3.OperationalError):
        text = str(error).lower()
        return next((reason for key, reason in _SQLITE_REASONS if key in text), None)
    if isinstance(error, asyncpg.ReadOnlySQLTransactionError):
        return N_("the database is read-only")
    if isinstance(error, asyncpg.DiskFullError):
        return N_("the database server's disk is full")
    if isinstance(error, asyncpg.InsufficientResourcesError | asyncpg.CannotConnectNowError):
        return N_("the database server cannot take the write now")
    if isinstance(error, OSError) and error.errno in _OS_REASONS:
        return _OS_REASONS[error.errno]
    return None
