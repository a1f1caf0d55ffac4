"""Demo data drawn from the Tyresö action plan: the records document and the networks' meetings,
loaded into an empty database by ``samverkan serve --demo``.

It may import every other ``directory`` package; nothing imports it but the CLI and the tests.
"""
