"""The one ``Format`` type: what sniffing finds, the key of the extractor table, and ``Extracted.kind``.

A format is its short name ("docx"). The built-in formats are the constants ``Format.TXT`` ... ``Format.DOC``;
a new one is ``Format("name")`` registered with its extractor (see ``worker.extract.registry`` and the
"How to add a format" section of docs/formats.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema


class Format(str):
    """The short name of a file format nianbao reads.

    A ``str`` so that it logs, compares and serialises as its name (``Format.DOCX == "docx"``), and a type
    of its own so that signatures say which strings are formats. The set of formats that can be read is
    the extractor table, not this class: a format without an extractor is refused as unsupported.
    """

    __slots__ = ()

    TXT: ClassVar[Format]
    """Plain text in any encoding the offices use."""
    DOCX: ClassVar[Format]
    """Word .docx (also .docm, Strict OOXML)."""
    HTML: ClassVar[Format]
    """A saved web page; also the ``Extracted.kind`` of an .mht, whose HTML part is what is read."""
    MHT: ClassVar[Format]
    """Word's "single file web page" (MIME multipart/related)."""
    PDF: ClassVar[Format]
    """PDF with a text layer."""
    DOC: ClassVar[Format]
    """Legacy word-processor documents (.doc, .wps, .rtf, .odt, Word 2003 XML), converted with LibreOffice."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """Validate from a plain string (``Extracted(kind="docx")``), serialise as one."""
        return core_schema.no_info_after_validator_function(cls, core_schema.str_schema())


Format.TXT = Format("txt")
Format.DOCX = Format("docx")
Format.HTML = Format("html")
Format.MHT = Format("mht")
Format.PDF = Format("pdf")
Format.DOC = Format("doc")


@dataclass(frozen=True)
class Sniffed:
    """The outcome of format detection.

    Attributes:
        format: which extractor reads the file (the key of ``EXTRACTORS``).
        what: a short English description for logs and messages ("Word document (.docx)").
    """

    format: Format
    what: str
