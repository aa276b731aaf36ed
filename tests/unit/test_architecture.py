"""The shape of ``console/``: imports between its parts run only downward, sit at the top of
files, and no module grows past 500 lines (issue 17).

A *part* is a folder of ``console/`` (a feature) or a module directly in it. ``LAYERS`` lists
them from the bottom up: a part may import parts of lower layers only. A new part must be
placed here, which is the point: where it sits is a decision, not an accident.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from console import PROJECT_ROOT

CONSOLE = PROJECT_ROOT / "console"
LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(layer.split())
    for layer in (
        # the kernel: settings, time, database, words, the access policy, plug-in points
        "__init__ config extensions files timeutil rules online_services terms",
        "modeltypes db i18n masking permissions sweeps",
        "navigation errors security",
        # the trail every change is written to
        "audit",
        "outbox scheduler web",
        # staff accounts, then the features, each above what it builds on
        "auth",
        "dashboard users",
        "incidents",
        "evidence",
        "disclosures suspensions notices",
        # what wires everything together
        "models demo",
        "cli",
        "app",
    )
)
# console/__init__.py holds PROJECT_ROOT; its create_app reaches up to console/app.py, the
# one import from the bottom to the top (the package must load without Flask).
ROOT = "__init__"
MAX_LINES = 500
# Imports inside functions, each with its reason on the line (``# why``).
ALLOWED_LATE_IMPORTS = 8


def _rank() -> dict[str, int]:
    return {part: index for index, layer in enumerate(LAYERS) for part in layer}


def _part(module: str) -> str | None:
    """``console.suspensions.rules`` → ``suspensions``; ``console`` → ``__init__``."""
    pieces = module.split(".")
    if pieces[0] != "console":
        return None
    return pieces[1] if len(pieces) > 1 else ROOT


def _is_part(name: str) -> bool:
    return (CONSOLE / name).is_dir() or (CONSOLE / f"{name}.py").is_file()


def _module_of(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(CONSOLE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.module == "console":  # ``from console import db, PROJECT_ROOT``
        return [
            f"console.{alias.name}" if _is_part(alias.name) else "console" for alias in node.names
        ]
    return [node.module or ""]


def _imports(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for name in _imported(node):
                yield node.lineno, name


def test_every_part_has_a_layer():
    parts = {_part(_module_of(path)) for path, _tree in _sources()}
    assert parts - set(_rank()) == set()


def test_imports_between_parts_run_only_downward():
    ranks = _rank()
    upward = []
    for path, tree in _sources():
        source = _part(_module_of(path)) or ROOT
        for line, name in _imports(tree):
            target = _part(name)
            if target is None or target == source or (source, target) == (ROOT, "app"):
                continue
            if target not in ranks or ranks[target] >= ranks[source]:
                upward.append(f"{path.relative_to(PROJECT_ROOT)}:{line} {source} → {target}")
    assert upward == []


def _late_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    yield node


def test_imports_sit_at_the_top_with_few_exceptions_each_with_its_reason():
    late = []
    for path, tree in _sources():
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in _late_imports(tree):
            late.append((f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}", lines[node.lineno - 1]))
    unexplained = [where for where, text in late if "#" not in text]
    assert unexplained == []
    assert len(late) <= ALLOWED_LATE_IMPORTS, late


def test_no_module_is_longer_than_500_lines():
    long = {
        str(path.relative_to(PROJECT_ROOT)): length
        for path, _tree in _sources()
        if (length := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
