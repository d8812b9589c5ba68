"""settings.CORE_APPS lists the core lowest layer first, in the order of the "Core
layers" import-linter contract (pyproject.toml): the two must agree."""

import re
import tomllib
from pathlib import Path

from django.conf import settings

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def layer_ranks() -> dict[str, int]:
    """{"anju.<package>": rank}, 0 for the lowest layer; siblings share a rank."""
    contracts = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c["name"] == "Core layers"]
    (container,) = contract["containers"]
    ranks = {}
    for rank, layer in enumerate(reversed(contract["layers"])):
        for name in re.split(r"[|:]", layer):
            ranks[f"{container}.{name.strip().strip('()')}"] = rank
    return ranks


def out_of_order(apps, ranks) -> list[str]:
    """Each core app listed before an app of a lower layer, or missing from the layers."""
    problems, highest = [], (None, -1)
    for app in apps:
        if not app.startswith("anju."):
            continue
        if app not in ranks:
            problems.append(f"{app} is in no layer of the contract")
            continue
        if ranks[app] < highest[1]:
            problems.append(f"{app} is listed after {highest[0]}, a higher layer")
        else:
            highest = (app, ranks[app])
    return problems


def test_core_apps_are_listed_lowest_layer_first():
    assert out_of_order(settings.CORE_APPS, layer_ranks()) == []


def test_every_required_layer_is_an_installed_app():
    contracts = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c["name"] == "Core layers"]
    required = {
        f"anju.{name.strip()}"
        for layer in contract["layers"]
        for name in re.split(r"[|:]", layer)
        if not name.strip().startswith("(")
    }
    assert required - set(settings.CORE_APPS) == set()


def test_a_wrong_order_is_reported():
    ranks = layer_ranks()
    swapped = ["anju.core", "anju.notices", "anju.notify", "anju.nowhere"]
    assert out_of_order(swapped, ranks) == [
        "anju.notify is listed after anju.notices, a higher layer",
        "anju.nowhere is in no layer of the contract",
    ]
