"""``nianbao rules``: list the check catalogue, explain one rule (like ``ruff rule``)."""

from __future__ import annotations

import inspect
import json

import click

from worker.rules import RULES, Rule, resolve


def _rows() -> list[dict[str, str]]:
    return [
        {"id": code, "severity": cls.severity.value, "title_zh": cls.title_zh, "title_en": cls.title_en}
        for code, cls in RULES.items()
    ]


def _print_list(as_json: bool) -> None:
    rows = _rows()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    width = max(len(r["id"]) for r in rows)
    for r in rows:
        click.echo(f"{r['id']:<{width}}  {r['severity']:<7}  {r['title_zh']}  —  {r['title_en']}")


def explain_text(cls: type[Rule]) -> str:
    """The text ``rules explain`` prints: id, severity, titles, then the rule's documentation."""
    head = f"{cls.code} ({cls.severity.value})\n{cls.title_zh}\n{cls.title_en}\n"
    return head + "\n" + inspect.cleandoc(cls.__doc__ or "") + "\n"


@click.group(name="rules", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable list.")
@click.pass_context
def rules(ctx: click.Context, as_json: bool) -> None:
    """List the checks (id, severity, Chinese and English title). Same as `rules list`."""
    if ctx.invoked_subcommand is None:
        _print_list(as_json)


@rules.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable list.")
def list_rules(as_json: bool) -> None:
    """List all checks: id, severity, Chinese title, English title."""
    _print_list(as_json)


@rules.command(name="explain")
@click.argument("rule_ids", nargs=-1, metavar="[RULE_ID]...")
def explain(rule_ids: tuple[str, ...]) -> None:
    """Explain a rule (or all rules): what it checks, why it matters, an example."""
    classes = [resolve(code) for code in rule_ids] if rule_ids else list(RULES.values())
    click.echo("\n".join(explain_text(cls) for cls in classes), nl=False)


COMMANDS: list[click.Command] = [rules]
