"""Samverkan as a Nextcloud external app (ExApp): AppAPI's contract, sign-in and OCS calls.

Composition layer: it wires the directory's accounts and roles to Nextcloud, so it lives beside
the app factory rather than inside ``directory/``.
"""
