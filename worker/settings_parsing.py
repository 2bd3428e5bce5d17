"""Settings as people type them, and settings errors as one line an operator can act on.

List settings (``alert_recipients``, ``ignore_patterns`` ...) accept one value, values separated by
commas or semicolons (ASCII or full-width), or a JSON list, from the environment and from the config
file alike. Any invalid value ends in a ``SettingsInvalid`` whose message is one zh-CN line naming the
key, e.g. ``配置错误：stable_seconds：应为数字（当前值 'abc'）``; the CLI prints it and exits 2.
"""

from __future__ import annotations

import json
import re
import typing
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import EnvSettingsSource, SettingsError

from worker.errors import ConfigError

_SEPARATORS = re.compile(r"[,;，；\n]")
_SENSITIVE = ("password", "auth", "secret", "token", "url")
_FIELD_IN_MESSAGE = re.compile(r'field "([^"]+)"')

#: zh-CN wording of the pydantic error types an operator meets; others keep pydantic's message.
_REASONS: dict[str, str] = {
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为 JSON 列表，如 [...]",
    "dict_type": "应为 JSON 对象，如 {\"键\": \"值\"}",
    "string_type": "应为文本",
    "missing": "缺少此项",
    "json_invalid": "不是有效的 JSON",
}


class SettingsInvalid(ConfigError):
    """A setting has a value nianbao cannot use.

    Args:
        problems: ``(key, reason)`` pairs, reason in zh-CN.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("；".join(f"{key}：{reason}" for key, reason in problems))

    @property
    def keys(self) -> list[str]:
        """The setting names at fault."""
        return [key for key, _reason in self.problems]

    def one_line(self) -> str:
        """The message for the operator: ``配置错误：<key>：<reason>`` on one line."""
        return "配置错误：" + " ".join(str(self).split())


def parse_list(value: Any) -> Any:
    """A list setting's raw value as a list: JSON list, or one value / values split on , ; ， ；.

    Anything that is not a string (already a list, from TOML or code) is returned unchanged.

    Raises:
        ValueError: the value starts like a JSON list but is not valid JSON.
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"不是有效的 JSON 列表（{exc.msg}，第 {exc.pos + 1} 个字符）") from exc
    return [item.strip() for item in _SEPARATORS.split(text) if item.strip()]


@cache
def list_fields(settings_cls: type) -> frozenset[str]:
    """Names of the fields of ``settings_cls`` typed ``list[str]`` (optionally ``| None``)."""
    names = set()
    for name, field in settings_cls.model_fields.items():  # type: ignore[attr-defined]
        candidates = [field.annotation, *typing.get_args(field.annotation)]
        if any(typing.get_origin(c) is list and typing.get_args(c) == (str,) for c in candidates):
            names.add(name)
    return frozenset(names)


class LenientEnvSource(EnvSettingsSource):
    """The environment source, except that a list or dict value which is not JSON reaches the validators
    as the raw string (``NIANBAO_ALERT_RECIPIENTS=a@x.cn, b@y.cn``) instead of failing to decode."""

    def decode_complex_value(self, field_name: str, field: FieldInfo, value: Any) -> Any:
        """JSON-decode ``value`` when it is JSON; otherwise hand it on unchanged."""
        try:
            return super().decode_complex_value(field_name, field, value)
        except ValueError:
            return value


def _key(loc: tuple[Any, ...]) -> str:
    if not loc:
        return "?"
    key = str(loc[0])
    key = key.removeprefix("NIANBAO_") if key.startswith("NIANBAO_") else key
    return ".".join([key.lower(), *(str(part) for part in loc[1:])])


def _reason(error: Any) -> str:
    kind = str(error.get("type", ""))
    reason = _REASONS.get(kind)
    if reason is None and kind == "literal_error":
        reason = f"应为以下之一：{error.get('ctx', {}).get('expected', '')}"
    if reason is None and kind == "value_error":
        reason = str(error.get("ctx", {}).get("error", error.get("msg", "")))
    if reason is None:
        reason = f"值无效（{error.get('msg', '')}）"
    return reason


def settings_invalid(exc: Exception, *, config_file: Path | None) -> SettingsInvalid:
    """Turn whatever loading the settings raised into one ``SettingsInvalid``."""
    if isinstance(exc, ValidationError):
        problems = []
        for error in exc.errors():
            key = _key(tuple(error.get("loc", ())))
            reason = _reason(error)
            shown = error.get("input")
            if isinstance(shown, (str, int, float)) and not any(word in key for word in _SENSITIVE):
                reason += f"（当前值 {shown!r}）"
            problems.append((key, reason))
        return SettingsInvalid(problems)
    if isinstance(exc, SettingsError):
        found = _FIELD_IN_MESSAGE.search(str(exc))
        cause = exc.__cause__
        return SettingsInvalid([(found.group(1) if found else "?", f"无法解析（{cause or exc}）")])
    where = str(config_file) if config_file is not None else "配置文件"
    return SettingsInvalid([(where, f"无法读取（{exc}）")])
