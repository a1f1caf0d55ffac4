"""The plan's own cycle: the local situation picture (observations without personal data,
aggregated with small cells hidden), the action plan with its versions, sections and measures,
trainings with participation counted per organisation, method evidence, and the follow-up report
for the local crime prevention council.

It may import :mod:`directory.core`, :mod:`directory.accounts`, :mod:`directory.records` and
:mod:`directory.meetings` (a measure links networks and meetings); nothing below it imports it.
"""
