"""The package layout the README's architecture section promises: who may import whom, and size."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What each package may import besides itself (README, "Architecture").
ALLOWED: dict[str, set[str]] = {
    "directory.core": set(),
    "directory.accounts": {"directory.core"},
    "directory.records": {"directory.core", "directory.accounts"},
    "directory.guidance": {"directory.core", "directory.records"},
    "directory.meetings": {"directory.core", "directory.accounts", "directory.records"},
    "directory.plan": {
        "directory.core",
        "directory.accounts",
        "directory.records",
        "directory.meetings",
    },
    "directory.api": {
        "directory.core",
        "directory.accounts",
        "directory.records",
        "directory.meetings",
        "directory.plan",
    },
    "search": {"directory"},
    "sync": {"directory", "search"},
}
FIRST_PARTY = ("directory", "search", "sync", "samverkan")


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "directory" and len(parts) > 1 and f"directory.{parts[1]}" in ALLOWED:
        return f"directory.{parts[1]}"
    return parts[0] if parts[0] in ALLOWED else None


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return [name for name in names if name.split(".")[0] in FIRST_PARTY]


def _sources() -> list[Path]:
    return [
        path
        for top in FIRST_PARTY
        for path in sorted((ROOT / top).rglob("*.py"))
        if "piccolo_migrations" not in path.parts
    ]


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


@pytest.mark.parametrize("path", _sources(), ids=lambda path: str(path.relative_to(ROOT)))
def test_each_package_imports_only_the_packages_below_it(path: Path) -> None:
    package = _package_of(_module_name(path))
    if package is None:
        return  # the composition root (samverkan) and the demo data may import everything
    allowed = ALLOWED[package] | {package}
    wrong = [
        name
        for name in _imports(path)
        if not any(name == ok or name.startswith(ok + ".") for ok in allowed)
        and not (name == "directory" and "directory" in allowed)
    ]
    assert wrong == [], f"{package} may import only {sorted(allowed)}"


def test_every_directory_sub_package_says_what_it_holds_and_may_import() -> None:
    for init in sorted((ROOT / "directory").glob("*/__init__.py")):
        if init.parent.name == "piccolo_migrations":
            continue
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "import" in doc, f"{init.parent.name}/__init__.py needs its docstring"


def test_no_module_outside_migrations_and_demo_data_is_over_400_lines() -> None:
    long = [
        f"{path.relative_to(ROOT)}: {lines}"
        for top in (*FIRST_PARTY, "tests", "benchmarks")
        for path in sorted((ROOT / top).rglob("*.py"))
        if "piccolo_migrations" not in path.parts and path != ROOT / "directory/demo/data.py"
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 400
    ]
    assert long == [], "split these by concept"
