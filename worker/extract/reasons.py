"""Why a file cannot be read: a stable English code for logs and tests, a zh-CN message for people.

The people who read a quarantine reason (the disclosure office, the clerks who get the quarantine mail, the
``.error.txt`` note beside a quarantined file) read Chinese, so ``ExtractionError.reason`` is the zh-CN text
of ``MESSAGES`` (terms of docs/glossary-zh.md); ``ExtractionError.code`` is the ``Reason`` value, which
never changes with the wording. Raise through ``refuse`` / ``unsupported``::

    raise refuse(Reason.EMPTY_FILE, path=path)
    raise refuse(Reason.FILE_TOO_LARGE, path=path, size_mb=51.0, limit_mb=50)
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from worker.errors import ExtractionError, UnsupportedFormatError


class Reason(StrEnum):
    """Stable codes of the extraction refusals (logs, tests, the database keep these)."""

    CANNOT_READ = "cannot_read"
    EMPTY_FILE = "empty_file"
    FILE_TOO_LARGE = "file_too_large"
    UNSUPPORTED_FORMAT = "unsupported_format"
    CORRUPT_ZIP = "corrupt_zip"
    ZIP_TOO_MANY_ENTRIES = "zip_too_many_entries"
    ZIP_TOO_LARGE = "zip_too_large"
    ZIP_MEMBER_TOO_LARGE = "zip_member_too_large"
    ENCRYPTED_OFFICE = "encrypted_office"
    CORRUPT_OFFICE = "corrupt_office"
    UNSAFE_XML = "unsafe_xml"
    XML_TOO_MANY_ELEMENTS = "xml_too_many_elements"
    MALFORMED_XML = "malformed_xml"
    DOCX_NO_TEXT = "docx_no_text"
    TABLE_TOO_LARGE = "table_too_large"
    MHT_NO_HTML = "mht_no_html"
    HTML_UNPARSABLE = "html_unparsable"
    HTML_NO_TEXT = "html_no_text"
    LEGACY_NO_CONVERTER = "legacy_no_converter"
    LEGACY_TIMEOUT = "legacy_timeout"
    LEGACY_FAILED = "legacy_failed"
    PDF_ENCRYPTED = "pdf_encrypted"
    PDF_UNSUPPORTED_ENCRYPTION = "pdf_unsupported_encryption"
    PDF_CORRUPT = "pdf_corrupt"
    PDF_SCANNED = "pdf_scanned"
    PDF_NO_UNICODE = "pdf_no_unicode"
    PDF_TOO_DEEP = "pdf_too_deep"
    PDF_STREAM_TOO_LARGE = "pdf_stream_too_large"
    TEXT_BAD_BOM = "text_bad_bom"
    TEXT_GARBAGE = "text_garbage"
    TEXT_BLANK = "text_blank"
    TEXT_UNDECODABLE = "text_undecodable"
    OUT_OF_MEMORY = "out_of_memory"


MESSAGES: dict[Reason, str] = {
    Reason.CANNOT_READ: "无法读取文件：{detail}",
    Reason.EMPTY_FILE: "空文件（0 字节）",
    Reason.FILE_TOO_LARGE: "文件过大：{size_mb:.1f} MB，上限为 {limit_mb:g} MB（max_file_mb）",
    Reason.UNSUPPORTED_FORMAT: "不支持的文件格式：{what}",
    Reason.CORRUPT_ZIP: "ZIP/Office 文件损坏或不完整：{detail}",
    Reason.ZIP_TOO_MANY_ENTRIES: "拒绝处理疑似压缩炸弹：{entries} 个条目，上限为 {limit}（zip_max_entries）",
    Reason.ZIP_TOO_LARGE: (
        "拒绝处理疑似压缩炸弹：解压后 {size_mb:.0f} MB，上限为 {limit_mb:g} MB（zip_max_uncompressed_mb）"
    ),
    Reason.ZIP_MEMBER_TOO_LARGE: "拒绝处理：{name} 解压后 {size_mb:.0f} MB，单个 XML 部件上限为 {limit_mb:g} MB",
    Reason.ENCRYPTED_OFFICE: "Office 文档设有密码：请去除密码后重新提交",
    Reason.CORRUPT_OFFICE: "Office 文件损坏：{detail}",
    Reason.UNSAFE_XML: "拒绝处理不安全的 XML（{name}）：{kind}（不允许 DTD 或实体声明）",
    Reason.XML_TOO_MANY_ELEMENTS: "拒绝处理：{name} 含 {elements} 个 XML 标签，上限为 {limit} 个",
    Reason.MALFORMED_XML: "Office 文件损坏：{name} 中的 XML 格式错误：{detail}",
    Reason.DOCX_NO_TEXT: ".docx 文件中没有文字",
    Reason.TABLE_TOO_LARGE: "拒绝处理表格：合并单元格覆盖超过 {limit} 个网格单元",
    Reason.MHT_NO_HTML: "单文件网页（.mht）中没有 HTML 部分",
    Reason.HTML_UNPARSABLE: "无法解析网页：{detail}",
    Reason.HTML_NO_TEXT: "网页中没有文字",
    Reason.LEGACY_NO_CONVERTER: "旧版 Word/WPS 格式：请转换为 .docx 后重新提交（本机未安装 LibreOffice）",
    Reason.LEGACY_TIMEOUT: "{what}：LibreOffice 转换超时（{timeout} 秒）",
    Reason.LEGACY_FAILED: "{what}：LibreOffice 无法将其转换为 .docx（{detail}）",
    Reason.PDF_ENCRYPTED: "PDF 已加密：需要密码才能打开",
    Reason.PDF_UNSUPPORTED_ENCRYPTION: "PDF 使用了不支持的加密方式：{detail}",
    Reason.PDF_CORRUPT: "PDF 文件损坏或无法读取：{detail}",
    Reason.PDF_SCANNED: "扫描版 PDF：没有文字层，不支持文字识别（OCR）",
    Reason.PDF_NO_UNICODE: "PDF 字体缺少 Unicode 映射（文字显示为 (cid:N) 字形编码）：请重新导出 PDF 或提交 .docx",
    Reason.PDF_TOO_DEEP: "拒绝处理 PDF：对象嵌套过深（超过 {limit} 层）",
    Reason.PDF_STREAM_TOO_LARGE: "拒绝处理疑似压缩炸弹 PDF：数据流解压后超过 {limit_mb:g} MB",
    Reason.TEXT_BAD_BOM: "字节顺序标记（BOM）后的 {encoding} 文本无效：{detail}",
    Reason.TEXT_GARBAGE: "按 {encoding} 解码得到乱码：{detail}",
    Reason.TEXT_BLANK: "文本文件只有空白字符",
    Reason.TEXT_UNDECODABLE: "无法解码文本：{detail}",
    Reason.OUT_OF_MEMORY: "处理该文件所需内存超过上限（{limit_mb} MB，max_task_memory_mb），已停止处理",
}

# What sniffing calls a format (English, for logs) -> the words of the quarantine reason.
WHAT_ZH: dict[str, str] = {
    "PNG image": "PNG 图片",
    "JPEG image": "JPEG 图片",
    "GIF image": "GIF 图片",
    "TIFF image": "TIFF 图片",
    "BMP image": "BMP 图片",
    "WebP image": "WebP 图片",
    "icon image": "图标文件",
    "gzip archive": "gzip 压缩包",
    "bzip2 archive": "bzip2 压缩包",
    "xz archive": "xz 压缩包",
    "7-Zip archive": "7-Zip 压缩包",
    "RAR archive": "RAR 压缩包",
    "zstd archive": "zstd 压缩包",
    "tar archive": "tar 归档包",
    "ZIP archive (unpack it and submit the report itself)": "ZIP 压缩包（请解压后提交年度报告文件本身）",
    "Windows executable": "Windows 可执行程序",
    "ELF executable": "ELF 可执行程序",
    "Mach-O or Java class binary": "Mach-O 或 Java 二进制文件",
    "Mach-O executable": "Mach-O 可执行程序",
    "SQLite database": "SQLite 数据库",
    "Ogg media": "Ogg 音视频",
    "FLAC audio": "FLAC 音频",
    "MP3 audio": "MP3 音频",
    "WAV audio": "WAV 音频",
    "AVI video": "AVI 视频",
    "MP4/HEIC media": "MP4/HEIC 音视频或图片",
    "PostScript document": "PostScript 文档",
    "DjVu document": "DjVu 文档",
    "web font": "网页字体",
    "TrueType font": "TrueType 字体",
    "spreadsheet (.xlsx)": "电子表格（.xlsx）",
    "spreadsheet (.xls/.et)": "电子表格（.xls/.et）",
    "presentation (.pptx)": "演示文稿（.pptx）",
    "presentation (.ppt/.dps)": "演示文稿（.ppt/.dps）",
    "Visio drawing": "Visio 绘图",
    "XPS/OFD document": "XPS/OFD 文档",
    "XML data": "XML 数据",
    "unrecognised binary data": "无法识别的二进制数据",
    "PDF document": "PDF 文档",
    "Word document (.docx)": "Word 文档（.docx）",
    "RTF document": "RTF 文档",
    "OpenDocument text (.odt)": "OpenDocument 文本（.odt）",
    "legacy Word/WPS document (.doc/.wps)": "旧版 Word/WPS 文档（.doc/.wps）",
    "legacy Office/WPS document": "旧版 Office/WPS 文档",
    "legacy document": "旧版文档",
    "HTML page": "网页",
    "XHTML page": "XHTML 网页",
    "single-file web page (.mht)": "单文件网页（.mht）",
    "Word 2003 XML document": "Word 2003 XML 文档",
    "plain text": "纯文本",
}


def what_zh(what: str) -> str:
    """The zh-CN words for a format description of ``sniff`` (unknown ones are kept as they are)."""
    if what.startswith("OpenDocument file ("):
        return "OpenDocument 文件" + what.removeprefix("OpenDocument file")
    return WHAT_ZH.get(what, what)


def message(code: Reason, **params: Any) -> str:
    """The zh-CN text of ``code`` with its ``params`` filled in."""
    return MESSAGES[code].format(**params)


def refuse(code: Reason, *, path: Path | str | None, **params: Any) -> ExtractionError:
    """An ``ExtractionError`` with ``code`` and its zh-CN reason (raise it)."""
    return ExtractionError(message(code, **params), path=None if path is None else str(path), code=code.value)


def unsupported(what: str, *, path: Path | str | None) -> UnsupportedFormatError:
    """``不支持的文件格式：<what>`` for a format nianbao does not read (``what`` as ``sniff`` words it)."""
    text = message(Reason.UNSUPPORTED_FORMAT, what=what_zh(what))
    return UnsupportedFormatError(text, path=None if path is None else str(path), code=Reason.UNSUPPORTED_FORMAT.value)
