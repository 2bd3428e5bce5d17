"""The rule catalogue: every ``Rule`` subclass of the rule packages, keyed by its stable id.

A rule's id names its file: ``T3_BALANCE`` lives in ``worker/rules/t3/t3_balance.py`` (the folder is the id's
first word, lower case; see ``module_of``). Every package under ``worker/rules/`` except ``support`` (shared
helpers) is searched, so adding a rule is adding its module.

Ids are those of report-format.md section 7 and are never reused. A retired id goes into ``REMOVED`` (with
the reason), a renamed one into ``REDIRECTS`` (old -> new); ``resolve`` follows both so that configuration
and ``nianbao rules explain`` keep working with old ids.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from worker.errors import NianbaoError
from worker.rules.base import Rule

RULES_PACKAGE = __name__.rpartition(".")[0]  # "worker.rules"
RULES_DIR = Path(__file__).resolve().parent
SUPPORT_PACKAGE = "support"  # helpers shared by the rules; never searched for rules

# retired id -> why (ids are never reused)
REMOVED: dict[str, str] = {}
# old id -> current id
REDIRECTS: dict[str, str] = {}


class RuleCatalogueError(NianbaoError):
    """The catalogue is inconsistent (duplicate id, or an id that is also removed/redirected)."""


class UnknownRuleError(NianbaoError):
    """An id that is not in the catalogue."""


def module_of(code: str) -> str:
    """The dotted module a rule id lives in: ``module_of("T3_BALANCE")`` is "worker.rules.t3.t3_balance"."""
    return f"{RULES_PACKAGE}.{code.split('_', 1)[0].lower()}.{code.lower()}"


def _rule_packages() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules([str(RULES_DIR)])
        if info.ispkg and info.name != SUPPORT_PACKAGE
    )


def _discover() -> list[type[Rule]]:
    found: list[type[Rule]] = []
    for name in _rule_packages():
        package = importlib.import_module(f"{RULES_PACKAGE}.{name}")
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
