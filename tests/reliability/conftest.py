"""Fixtures for the reliability and security suite: the HTTP client and a token per role."""

from tests.directory.conftest import auth, client

__all__ = ["auth", "client"]
