"""Every library the project imports at run time is a dependency it declares in
pyproject.toml — not one that merely happens to be installed because something else
pulled it in (a transitive dependency can vanish in any upgrade of its parent)."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUNTIME_SOURCES = [REPO / "platform" / "anju", REPO / "plugins", REPO / "theme"]
OWN = {"anju", "plugins", "theme"}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = set()
    for requirement in project["dependencies"]:
        names.add(_normal(re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]))
    return names


def imported_top_level() -> dict[str, str]:
    """{top-level module: one file importing it}, for absolute imports in runtime code."""
    found = {}
    for root in RUNTIME_SOURCES:
        for source in root.rglob("*.py"):
            if "migrations" in source.parts or "scaffold" in source.parts:
                continue
            tree = ast.parse(source.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], str(source.relative_to(REPO)))
    return found


def test_every_runtime_import_is_a_declared_dependency():
    distributions = packages_distributions()
    ours = declared()
    undeclared = []
    for module, where in sorted(imported_top_level().items()):
        if module in OWN or module in sys.stdlib_module_names or module == "__future__":
            continue
        owners = {_normal(d) for d in distributions.get(module, [])}
        assert owners, f"{module} (imported in {where}) is not installed at all"
        if not owners & ours:
            undeclared.append(f"{module} ({', '.join(sorted(owners))}), imported in {where}")
    assert not undeclared, "imported but not declared in pyproject.toml:\n" + "\n".join(undeclared)
