"""The plan's actors (§4): the five it requires at every prevention level, then the other
parties it names. An organisation counts as an actor by its areas or its kind in the directory."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from directory.core.errors import N_


@dataclass(frozen=True)
class Actor:
    code: str
    label: str  # an N_ message id, translated where it is shown
    required: bool
    areas: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()

    def covers(self, organization: Mapping[str, Any]) -> bool:
        areas = set(json.loads(organization["areas"] or "[]"))
        return bool(areas & self.areas) or organization["kind"] in self.kinds


ACTORS: tuple[Actor, ...] = (
    Actor("social_services", N_("Social services"), True, frozenset({"social_services"})),
    Actor("school", N_("School"), True, frozenset({"school"})),
    Actor("leisure", N_("Leisure services"), True, frozenset({"leisure"})),
    Actor("security", N_("The municipal security function"), True, frozenset({"security"})),
    Actor("police", N_("Police"), True, frozenset({"police"})),
    Actor(
        "civil_society",
        N_("Civil society and NGOs"),
        False,
        frozenset({"civil_society"}),
        frozenset({"ngo"}),
    ),
    Actor("faith", N_("Faith communities"), False, frozenset({"faith"}), frozenset({"faith"})),
)
REQUIRED_ACTORS = tuple(actor for actor in ACTORS if actor.required)
