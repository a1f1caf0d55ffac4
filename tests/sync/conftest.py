"""Fixtures for the feed tests: the directory's client, role tokens and a network with meetings."""

from __future__ import annotations

from tests.directory.conftest import auth, client

__all__ = ["auth", "client"]
