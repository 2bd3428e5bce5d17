"""Who may use the web application: the access rule, password hashes, the users and their roles.

Access rule (issue 12 item 7, the same as Flower's): bound to a loopback address the application may run
without users, and then everyone is one implicit local user with role ``web_local_role``; bound to any other
address it refuses to start unless ``web_users`` is configured. With users configured, every page needs a
login, whatever the address.

Passwords are hashed with scrypt from the standard library (``hashlib.scrypt``): memory-hard, no compiled
dependency to install on an intranet machine, and the parameters travel in the hash string
(``scrypt$<n>$<r>$<p>$<salt>$<hash>``, base64) so they can be raised later without invalidating old hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from worker.errors import ConfigError
from worker.settings import Settings

LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "localhost", "::1"})
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
_MAXMEM = 128 * 1024 * 1024
_SCHEME = "scrypt"


class Role(StrEnum):
    """What a user may do: a viewer reads, an operator also acts (review, re-queue, delete, re-check)."""

    VIEWER = "viewer"
    OPERATOR = "operator"

    @property
    def label(self) -> str:
        """The role's name on the pages."""
        return {Role.VIEWER: "查看者", Role.OPERATOR: "管理员"}[self]

    def allows(self, required: Role) -> bool:
        """Whether this role may do what ``required`` may do."""
        return self is Role.OPERATOR or required is Role.VIEWER


@dataclass(frozen=True)
class WebUser:
    """The user of a request; ``implicit`` is the local user of an application without configured users."""

    name: str
    role: Role
    implicit: bool = False


def login_required(settings: Settings) -> bool:
    """Whether pages need a login (true as soon as users are configured)."""
    return bool(settings.web_users)


def implicit_user(settings: Settings) -> WebUser:
    """The one user of an application on loopback without configured users."""
    return WebUser(name="本机用户", role=Role(settings.web_local_role), implicit=True)


def check_bind(settings: Settings, address: str) -> None:
    """Refuse to serve beyond loopback without users.

    Raises:
        ConfigError: ``address`` is not a loopback address and ``web_users`` is empty, or a configured
            password hash is not one of ours.
    """
    for user in settings.web_users:
        if not _parse(user.password_hash):
            raise ConfigError(
                f"web_users: the password hash of {user.name!r} is not valid (use `nianbao web hash-password`)"
            )
    if address not in LOOPBACK_ADDRESSES and not settings.web_users:
        raise ConfigError(
            f"refusing to serve the web application on {address} without web_users "
            "(configure users, see docs/web.md, or bind to 127.0.0.1)"
        )


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A scrypt hash string for ``password`` (what ``web_users[].password_hash`` holds)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=_MAXMEM, dklen=32
    )
    return "$".join([_SCHEME, str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)])


def verify_password(password: str, password_hash: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (constant-time comparison; False for a bad hash)."""
    parsed = _parse(password_hash)
    if parsed is None:
        return False
    n, r, p, salt, expected = parsed
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=len(expected)
    )
    return hmac.compare_digest(digest, expected)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("nianbao-dummy", salt=b"\0" * 16)


def authenticate(settings: Settings, name: str, password: str) -> WebUser | None:
    """The configured user ``name`` when ``password`` is theirs, else None (same cost either way)."""
    for user in settings.web_users:
        if hmac.compare_digest(user.name.encode("utf-8"), name.encode("utf-8")):
            if verify_password(password, user.password_hash):
                return WebUser(name=user.name, role=Role(user.role))
            return None
    verify_password(password, _dummy_hash())  # an unknown name takes as long as a wrong password
    return None


def configured_user(settings: Settings, name: str) -> WebUser | None:
    """The configured user ``name`` with their current role (a user removed from the config is gone)."""
    for user in settings.web_users:
        if user.name == name:
            return WebUser(name=user.name, role=Role(user.role))
    return None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _parse(password_hash: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = password_hash.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, digest = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
    except ValueError:
        return None
    if n < 2 or n & (n - 1) or not (1 <= r <= 64 and 1 <= p <= 16) or len(salt) < 8 or len(digest) < 16:
        return None
    return n, r, p, salt, digest
