"""The directory's records: organisations, contacts, services and networks, their relations
(parent organisation, network members and coordinators), the records service with its
validation, HSDS-style import and export, and the records API controller.

It may import :mod:`directory.core` and :mod:`directory.accounts` only; it never imports meetings.
"""
