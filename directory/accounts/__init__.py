"""Accounts and sign-in: accounts with their hashed passwords, bearer tokens, the authentication
middleware for the JSON API and the shared limiter for unknown tokens.

It may import :mod:`directory.core` only.
"""
