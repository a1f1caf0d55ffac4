"""The composition root's tests reuse the directory's HTTP fixtures (a client, a token per role)."""

from tests.directory.conftest import auth, client

__all__ = ["auth", "client"]
