"""Server-rendered SVG: bar charts for the follow-up and the collaboration map.

Everything here returns plain data (coordinates, labels); the templates draw it, so every label
is escaped by Jinja like any other text, and no style attribute is needed under the CSP.
"""

from __future__ import annotations

import itertools
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

PALETTE = ("#00679e", "#8a4f00", "#2e7d32", "#6a1b9a", "#b00020", "#455a64", "#00796b")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars; ``height`` and ``label_width`` size the SVG viewBox."""

    bars: list[Bar]
    height: int
    label_width: int = 170
    plot_width: int = 330
    row: int = 30


def bar_chart(values: Sequence[tuple[str, int]]) -> BarChart:
    top = max((value for _, value in values), default=0) or 1
    chart = BarChart(bars=[], height=max(1, len(values)) * 30 + 10)
    for index, (label, value) in enumerate(values):
        chart.bars.append(Bar(label, value, 10 + index * chart.row, round(value / top * 300)))
    return chart


@dataclass(frozen=True)
class Node:
    id: uuid.UUID
    name: str
    kind: str
    x: int
    y: int
    colour: str


@dataclass(frozen=True)
class Link:
    x1: int
    y1: int
    x2: int
    y2: int
    weight: int


@dataclass(frozen=True)
class Column:
    kind: str
    label: str
    x: int


@dataclass(frozen=True)
class CollaborationMap:
    columns: list[Column]
    nodes: list[Node]
    links: list[Link]
    width: int
    height: int


COLUMN_WIDTH, ROW_HEIGHT, TOP = 230, 36, 70


def collaboration_map(
    organizations: Sequence[Mapping[str, object]],
    memberships: Mapping[uuid.UUID, set[uuid.UUID]],
    kind_labels: Mapping[str, str],
) -> CollaborationMap:
    """Organisations in one column per kind (taxonomy order), a line between two organisations
    for every network they share (thicker for more)."""
    by_kind: dict[str, list[Mapping[str, object]]] = defaultdict(list)
    for org in organizations:
        by_kind[str(org["kind"])].append(org)
    kinds = [kind for kind in kind_labels if kind in by_kind]
    columns, nodes, position = [], [], {}
    for index, kind in enumerate(kinds):
        x = 20 + index * COLUMN_WIDTH
        columns.append(Column(kind, kind_labels.get(kind, kind), x))
        colour = PALETTE[index % len(PALETTE)]
        for row, org in enumerate(sorted(by_kind[kind], key=lambda o: str(o["name"]))):
            node = Node(org["id"], str(org["name"]), kind, x + 8, TOP + row * ROW_HEIGHT, colour)  # type: ignore[arg-type]
            nodes.append(node)
            position[node.id] = node
    shared: Counter[tuple[uuid.UUID, uuid.UUID]] = Counter()
    for members in memberships.values():
        visible = sorted((m for m in members if m in position), key=str)
        for first, second in itertools.combinations(visible, 2):
            shared[(first, second)] += 1
    links = [
        Link(position[a].x, position[a].y, position[b].x, position[b].y, count)
        for (a, b), count in shared.items()
    ]
    rows = max((len(group) for group in by_kind.values()), default=1)
    return CollaborationMap(
        columns, nodes, links, max(1, len(kinds)) * COLUMN_WIDTH + 20, TOP + rows * ROW_HEIGHT
    )


def missing_kinds(
    organizations: Sequence[Mapping[str, object]],
    levels: Mapping[str, str],
    kind_labels: Mapping[str, str],
) -> dict[str, list[str]]:
    """For each prevention level, the kinds of actor no organisation on the map works at."""
    present: dict[str, set[str]] = {level: set() for level in levels}
    for org in organizations:
        for level in org["levels"]:  # type: ignore[attr-defined]
            present.setdefault(level, set()).add(str(org["kind"]))
    return {
        levels[level]: [label for kind, label in kind_labels.items() if kind not in present[level]]
        for level in levels
    }


@dataclass(frozen=True)
class Upright:
    label: str
    value: int
    x: int
    height: int


@dataclass(frozen=True)
class ColumnChart:
    """Vertical bars (one per month), ``plot`` pixels high above a label row."""

    bars: list[Upright]
    width: int
    plot: int = 120
    step: int = 44


def column_chart(values: Sequence[tuple[str, int]]) -> ColumnChart:
    top = max((value for _, value in values), default=0) or 1
    chart = ColumnChart(bars=[], width=max(1, len(values)) * 44 + 20)
    for index, (label, value) in enumerate(values):
        chart.bars.append(Upright(label, value, 20 + index * chart.step, round(value / top * 110)))
    return chart
