"""Content-Type / Content-Disposition parameters: the quoted-value scan copies runs of ordinary
characters whole and the RFC 2231 step is skipped when no parameter name has a "*"; both must give
exactly what the character-by-character original gave, on hostile input too."""

from __future__ import annotations

import random

from mailwarden.message import _decode_rfc2231, _parse_params


def _reference(value: str) -> tuple[str, dict[str, str]]:
    value = value[:8192]
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    i, n = 0, len(rest)
    while i < n and len(params) < 64:
        while i < n and rest[i] in " \t;\r\n":
            i += 1
        j = rest.find("=", i)
        if j < 0:
            break
        key = rest[i:j].strip().lower()
        i = j + 1
        while i < n and rest[i] in " \t":
            i += 1
        if i < n and rest[i] == '"':
            i += 1
            buf = []
            while i < n and rest[i] != '"':
                if rest[i] == "\\" and i + 1 < n:
                    i += 1
                buf.append(rest[i])
                i += 1
            val = "".join(buf)
            i += 1
        else:
            k = rest.find(";", i)
            k = n if k < 0 else k
            val = rest[i:k].strip()
            i = k
        if key and key not in params:
            params[key] = val
    for base in ("filename", "name"):
        if base not in params:
            pieces = []
            for idx in range(64):
                v = params.get(f"{base}*{idx}*", params.get(f"{base}*{idx}"))
                if v is None:
                    break
                pieces.append(v)
            if pieces:
                params[base + "*"] = "".join(pieces)
        star = params.get(base + "*")
        if star is not None and base not in params:
            params[base] = _decode_rfc2231(star)
    return main.strip().lower(), params


_EXAMPLES = [
    "text/plain", 'text/plain; charset="utf-8"', "text/plain; charset=utf-8; format=flowed",
    'multipart/mixed; boundary="----=_Part_1_2.3"', 'attachment; filename="a \\"b\\".pdf"',
    'attachment; filename="unterminated', 'attachment; filename="ends with backslash\\',
    "attachment; filename*=utf-8''%E2%82%AC.pdf", "attachment; filename*0=a; filename*1=b.txt",
    'attachment; filename*0*=utf-8\'\'%41; filename*1="b.txt"; name="x"', 'x; a="\\', 'x; a="', "x; =v; k=",
]


def test_parse_params_matches_reference() -> None:
    rng = random.Random(9)
    pieces = ['"', "\\", ";", "=", " ", "\t", "*", "0", "1", "filename", "name", "charset", "a", "b",
              "utf-8''", "%41", "é", "\r\n"]
    cases = list(_EXAMPLES)
    cases += ["text/plain;" + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14))) for _ in range(20000)]
    for value in cases:
        assert _parse_params(value) == _reference(value), value
