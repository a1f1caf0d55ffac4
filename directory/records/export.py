"""Reading the directory out for one audience, for ``samverkan export``: Samverkan's own records
(the CSV of one resource, for editing and ``import --update``) and the HSDS document
(:mod:`directory.records.hsds_export`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from directory.records.hsds_export import current, select_records
from directory.records.resources import ResourceSpec
from directory.records.service import audience_filter


async def export_records(spec: ResourceSpec, visibilities: Sequence[str]) -> list[dict[str, Any]]:
    """Every current (not retired) record of ``spec`` that an audience reading
    ``visibilities`` may see, as JSON-ready builtins, in id order."""
    return await select_records(spec, [current(spec), audience_filter(spec, visibilities)])
