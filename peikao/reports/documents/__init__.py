"""The campaign notice as an official document: its content (:mod:`.content`), and that content as Word
(:mod:`.word`), PDF (:mod:`.pdf`) and Excel (:mod:`.workbook`). Every format is rendered from one
:class:`~.content.NoticeContent`, so the figures and the sentences agree across them."""

from __future__ import annotations

from peikao.reports.documents.content import NoticeContent, notice_content

__all__ = ["FORMATS", "NoticeContent", "notice_content", "render"]

FORMATS = {
    "json": "application/json",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render(content: NoticeContent, fmt: str) -> bytes:
    """The notice in ``fmt`` (json, docx, pdf, xlsx) as bytes."""
    if fmt == "json":
        import json

        return json.dumps(content.figures, ensure_ascii=False, indent=2).encode()
    if fmt == "docx":
        from peikao.reports.documents.word import notice_docx

        return notice_docx(content)
    if fmt == "pdf":
        from peikao.reports.documents.pdf import notice_pdf

        return notice_pdf(content)
    if fmt == "xlsx":
        from peikao.reports.documents.workbook import notice_xlsx

        return notice_xlsx(content)
    raise ValueError(f"unknown format {fmt!r}")
