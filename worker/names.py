"""File names as the file system has them, as the database stores them, and as derived names may be.

A POSIX file name is bytes; Python hands it over as text with undecodable bytes surrogate-escaped
(``os.fsdecode``: ``b'caf\\xe9.txt'`` -> ``'caf\\udce9.txt'``). Such text cannot be encoded as UTF-8, so
it can reach neither a UTF-8 note nor PostgreSQL nor SQLite. Every name therefore has two forms:

* ``display_name``: valid Unicode, undecodable bytes shown as ``\\xNN`` (what the database's ``name``
  columns, the logs and the mails carry);
* ``raw_hex``: the exact bytes in hex, kept beside it (``name_raw``) only when the display form differs.

Names we derive (``stem-<sha8>.txt``, ``.<name>.<pid>.moving``) may exceed ``NAME_MAX`` (255 bytes on
Linux file systems) when the input name is already long: ``fit`` shortens the stem and adds a hash of the
full name, so a derived name is never refused and two long names never shorten to the same one.
"""

from __future__ import annotations

import hashlib
import os

NAME_MAX = 255  # bytes of one path component (ext4, xfs, btrfs, tmpfs)
HASH_CHARS = 8


def to_bytes(name: str) -> bytes:
    """The bytes of ``name`` as the file system has them (surrogate escapes undone)."""
    try:
        return os.fsencode(name)
    except UnicodeEncodeError:  # a lone surrogate that is no escape (e.g. sent through JSON)
        return name.encode("utf-8", "surrogatepass")


def display_name(name: str) -> str:
    """``name`` as valid Unicode: undecodable bytes become ``\\xNN`` (lossy only for those bytes)."""
    return to_bytes(name).decode("utf-8", "backslashreplace")


def raw_hex(name: str) -> str | None:
    """The exact bytes of ``name`` in hex when ``display_name`` cannot give them back, else None."""
    raw = to_bytes(name)
    return None if raw == display_name(name).encode("utf-8") else raw.hex()


def from_raw(display: str, raw: str | None) -> str:
    """The file-system name (surrogate-escaped text) of a stored ``(name, name_raw)`` pair."""
    return os.fsdecode(bytes.fromhex(raw)) if raw else display


def _cut(text: str, limit: int) -> str:
    """The longest prefix of ``text`` whose bytes fit in ``limit`` (never splits a character)."""
    out: list[str] = []
    used = 0
    for ch in text:
        size = len(to_bytes(ch))
        if used + size > limit:
            break
        out.append(ch)
        used += size
    return "".join(out)


def fit(name: str, *, reserve: int = 0) -> str:
    """``name`` shortened so that it plus ``reserve`` more bytes fit in ``NAME_MAX``.

    A name that fits is returned unchanged; a longer one keeps its suffix (``.txt``, when short) and the
    start of its stem, plus ``~`` and the first characters of the sha256 of the whole name.
    """
    limit = NAME_MAX - reserve
    if len(to_bytes(name)) <= limit:
        return name
    tag = "~" + hashlib.sha256(to_bytes(name)).hexdigest()[:HASH_CHARS]
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(to_bytes(suffix)) > 16:
        stem, suffix = name, ""
    ending = tag + ("." + suffix if suffix else "")
    return _cut(stem, limit - len(ending)) + ending
