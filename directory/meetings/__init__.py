"""Network meetings: one-off and recurring meetings with their occasions, recurrence rules, the
conflict check, attendance, notes and follow-ups, feed tokens, and the meetings API controllers.

It may import :mod:`directory.core`, :mod:`directory.accounts` and :mod:`directory.records`
(a meeting names networks, organisations and contacts); records never import meetings.
"""
