"""Exception tree of nianbao.

    NianbaoError                 base of everything we raise on purpose
    ├── ConfigError              settings are invalid or a configured service is unreachable
    ├── ExtractionError          a file cannot be turned into text/cells (reason is user-facing)
    │   └── UnsupportedFormatError   content is not a format we read (image, archive, ...)
    ├── ParseError               text was read but is not an annual report we can recognise
    ├── StorageError             the database refused a write in a non-transient way
    ├── AlertError               an alert could not be composed or delivered permanently
    └── RetryableError           transient failure (database locked, SMTP 4xx, broker hiccup)

A failed *check* is never an exception: it is a ``Finding``.
"""

from __future__ import annotations


class NianbaoError(Exception):
    """Base class for all nianbao errors."""


class ConfigError(NianbaoError):
    """Invalid settings, or a configured service that cannot be reached."""


class ExtractionError(NianbaoError):
    """A file could not be read. ``reason`` (zh-CN) is shown to the user and written next to the file;
    ``code`` is stable English for logs and tests (``worker.extract.reasons.Reason``)."""

    def __init__(self, reason: str, *, path: str | None = None, code: str = "extraction_failed") -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path
        self.code = code


class UnsupportedFormatError(ExtractionError):
    """The content is not a format nianbao reads."""


class ParseError(NianbaoError):
    """The text is not a recognisable annual report (e.g. "section 三 table not found")."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(f"{where}{message}")
        self.message = message
        self.path = path
        self.line = line


class StorageError(NianbaoError):
    """A database write failed for a reason retrying will not fix."""


class AlertError(NianbaoError):
    """An alert could not be sent (permanent failure)."""


class RetryableError(NianbaoError):
    """A transient failure; the task that hit it retries with backoff."""
