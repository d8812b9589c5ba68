"""The core's public API: every name a package exports resolves, and docs/plugins.md
lists exactly those names (the reference is a promise plugin authors rely on)."""

import importlib
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
PACKAGES = [
    "anju.plugins",
    "anju.core",
    "anju.community",
    "anju.permissions",
    "anju.notify",
    "anju.notices",
    "anju.services",
    "anju.portal",
    "anju.api",
]


def documented() -> dict[str, set[str]]:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("<!-- public-api:start -->", 1)[1].split("<!-- public-api:end -->")[0]
    tables: dict[str, set[str]] = {}
    current = None
    for line in section.splitlines():
        heading = re.match(r"\*\*`([a-z_.]+)`\*\*", line)
        if heading:
            current = tables.setdefault(heading.group(1), set())
        row = re.match(r"\| `([A-Za-z_]+)` \|", line)
        if row and current is not None:
            current.add(row.group(1))
    return tables


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_resolves(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{package}.{name}"


@pytest.mark.parametrize("package", PACKAGES)
def test_the_reference_lists_exactly_the_public_names(package):
    module = importlib.import_module(package)
    listed = documented().get(package, set())
    assert listed == set(module.__all__), (
        f"docs/plugins.md's table for {package} is out of step with its public names: "
        f"missing {sorted(set(module.__all__) - listed)}, "
        f"not public {sorted(listed - set(module.__all__))}"
    )


def test_a_name_that_is_not_public_is_refused():
    import anju.services

    with pytest.raises(AttributeError, match="no public attribute"):
        anju.services.sweep_overdue  # noqa: B018 - internal: reach it only through a task
