"""The rule catalogue: every ``Rule`` subclass of the family packages, keyed by its stable id.

Ids are those of report-format.md section 7 and are never reused. A retired id goes into ``REMOVED`` (with
the reason), a renamed one into ``REDIRECTS`` (old -> new); ``resolve`` follows both so that configuration
and ``nianbao rules explain`` keep working with old ids.
"""

from __future__ import annotations

import importlib
import pkgutil

import worker.rules as rules_pkg
from worker.errors import NianbaoError
from worker.rules.base import Rule

FAMILIES = (
    "applications",
    "reviews",
    "cells",
    "structure",
    "template",
    "dates",
    "text",
    "units",
    "cross_year",
)

# retired id -> why (ids are never reused)
REMOVED: dict[str, str] = {}
# old id -> current id
REDIRECTS: dict[str, str] = {}


class RuleCatalogueError(NianbaoError):
    """The catalogue is inconsistent (duplicate id, or an id that is also removed/redirected)."""


class UnknownRuleError(NianbaoError):
    """An id that is not in the catalogue."""


def _discover() -> list[type[Rule]]:
    found: list[type[Rule]] = []
    for family in FAMILIES:
        package = importlib.import_module(f"{rules_pkg.__name__}.{family}")
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for value in vars(module).values():
                if (
                    isinstance(value, type)
                    and issubclass(value, Rule)
                    and value.__module__ == module.__name__
                    and "code" in vars(value)
                ):
                    found.append(value)
    return found


def build_registry(classes: list[type[Rule]]) -> dict[str, type[Rule]]:
    """Key rule classes by code, raising ``RuleCatalogueError`` on a duplicate or a retired/redirected id."""
    registry: dict[str, type[Rule]] = {}
    for cls in classes:
        code = cls.code
        if code in registry:
            raise RuleCatalogueError(
                f"duplicate rule id {code}: {registry[code].__qualname__} and {cls.__qualname__}"
            )
        if code in REMOVED or code in REDIRECTS:
            raise RuleCatalogueError(f"rule id {code} is retired or redirected and cannot be used again")
        registry[code] = cls
    return dict(sorted(registry.items()))


RULES: dict[str, type[Rule]] = build_registry(_discover())


def resolve(code: str) -> type[Rule]:
    """The rule class for an id (case-insensitive), following ``REDIRECTS``.

    Raises:
        UnknownRuleError: the id is unknown or retired (the message says which).
    """
    key = code.strip().upper()
    key = REDIRECTS.get(key, key)
    if key in RULES:
        return RULES[key]
    if key in REMOVED:
        raise UnknownRuleError(f"rule {key} was removed: {REMOVED[key]}")
    raise UnknownRuleError(f"unknown rule id {code!r} (see `nianbao rules list`)")
