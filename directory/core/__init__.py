"""The shared ground every domain stands on: database engine and transactions, settings, errors,
roles and the access rules, the audit log and outbox (``change_log``), the controlled vocabulary,
shared wire types and field checks.

It imports nothing from the domain packages beside it, nor from ``search``, ``sync`` or
``samverkan``; every other package may import it.
"""
