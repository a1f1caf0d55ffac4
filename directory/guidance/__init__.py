"""The "Vid oro" guidance card: the plan's steps when someone is concerned, kept as data that
admins edit, with the support resources looked up from the directory.

It may import :mod:`directory.core` and :mod:`directory.records`.
"""
