"""``nianbao rules``: list the check catalogue, explain one rule (like ``ruff rule``).

Output is in zh-CN (severity 错误/警告, the explanation from worker/rules/explain_zh.py); ``--lang en`` prints
the English titles and the rule's own documentation. Rule ids stay as they are.
"""

from __future__ import annotations

import inspect
import json

import click

from worker.rules import RULES, Rule, resolve
from worker.rules.explain_zh import EXPLAIN_ZH

SEVERITY_ZH = {"error": "错误", "warning": "警告"}
LANG = click.Choice(["zh", "en"])


def _rows() -> list[dict[str, str]]:
    return [
        {"id": code, "severity": cls.severity.value, "title_zh": cls.title_zh, "title_en": cls.title_en}
        for code, cls in RULES.items()
    ]


def _print_list(as_json: bool, lang: str = "zh") -> None:
    rows = _rows()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    width = max(len(r["id"]) for r in rows)
    for r in rows:
        if lang == "en":
            click.echo(f"{r['id']:<{width}}  {r['severity']:<7}  {r['title_en']}")
        else:
            click.echo(f"{r['id']:<{width}}  {SEVERITY_ZH.get(r['severity'], r['severity'])}  {r['title_zh']}")


def explain_text(cls: type[Rule], *, lang: str = "zh") -> str:
    """The text ``rules explain`` prints: id, severity, title, then the explanation (zh) or documentation (en)."""
    if lang == "en":
        head = f"{cls.code} ({cls.severity.value})\n{cls.title_en}\n{cls.title_zh}\n"
        return head + "\n" + inspect.cleandoc(cls.__doc__ or "") + "\n"
    severity = SEVERITY_ZH.get(cls.severity.value, cls.severity.value)
    return f"{cls.code}（{severity}）\n{cls.title_zh}\n\n{EXPLAIN_ZH.get(cls.code, cls.title_zh)}\n"


@click.group(name="rules", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable list.")
@click.option("--lang", type=LANG, default="zh", show_default=True, help="Language of the list.")
@click.pass_context
def rules(ctx: click.Context, as_json: bool, lang: str) -> None:
    """列出校验规则（编号、级别、名称）。同 `rules list`。"""
    if ctx.invoked_subcommand is None:
        _print_list(as_json, lang)


@rules.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable list.")
@click.option("--lang", type=LANG, default="zh", show_default=True, help="Language of the list.")
def list_rules(as_json: bool, lang: str) -> None:
    """列出全部校验规则：编号、级别、名称。"""
    _print_list(as_json, lang)


@rules.command(name="explain")
@click.argument("rule_ids", nargs=-1, metavar="[RULE_ID]...")
@click.option("--lang", type=LANG, default="zh", show_default=True, help="zh: Chinese explanation; en: the rule's docs.")
def explain(rule_ids: tuple[str, ...], lang: str) -> None:
    """说明一条（或全部）校验规则：检查什么、为什么。"""
    classes = [resolve(code) for code in rule_ids] if rule_ids else list(RULES.values())
    click.echo("\n".join(explain_text(cls, lang=lang) for cls in classes), nl=False)


COMMANDS: list[click.Command] = [rules]
