"""A faster reading of a PDF font's ToUnicode ranges, for pypdf's text extraction.

A `beginbfrange` line such as `<0000> <FFFF> <0000>` maps a whole range of character codes.
pypdf expands it one code at a time in Python (hex-format, unhex, decode, per code): a font
with a full 16-bit identity range costs about 0.4 s, so one ordinary CJK or subset-font PDF
took longer to read than a thousand plain messages, and held a milter scan worker meanwhile.

For the common shape (1- or 2-byte codes, a destination of at most four hex digits that stays
within 16 bits) every step of pypdf's expansion is the identity on code points: a 1-byte code
decodes with "charmap" (Latin-1) to chr(code), and a 2-byte code or destination decodes from
UTF-16-BE with "surrogatepass" to chr(value), lone surrogates included. So the range becomes
`chr(a)…chr(b)` mapped to `chr(c)…`, built in C. Every other line goes to pypdf's own function
untouched. `install()` first checks, on sample lines, that pypdf's function still gives exactly
what this shortcut gives; if pypdf ever reads ranges differently, the shortcut stays off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from typing import Any

log = logging.getLogger(__name__)


def _fast_range(line: bytes, map_dict: dict[Any, Any], int_entry: list[int],
                check_size: Callable[[int], None]) -> bool:
    """Expand `line` into map_dict/int_entry when it has the common shape; False (nothing
    touched) when it does not and pypdf's own function must read it."""
    lst = line.split()
    if len(lst) < 3 or lst[2] == b"[" or not all(len(t) <= 4 for t in lst[:3]):
        return False
    try:
        a, b, c = int(lst[0], 16), int(lst[1], 16), int(lst[2], 16)
    except ValueError:
        return False
    width = (max(len(lst[0]), len(lst[1])) + 1) // 2  # bytes per source code, as pypdf computes it
    # int() accepts signs, "0x" and underscores that are not hex digits: only plain ones here
    if min(a, c) < 0 or not all(t.isalnum() and b"x" not in t.lower() for t in lst[:3]):
        return False
    if b >= 256 ** width or c + max(0, b - a) > 0xFFFF:
        return False  # pypdf would fail part-way (code too wide for its bytes, or 5-digit hex)
    # pypdf's order: the size so far, the code width, then the size with the range
    check_size(len(int_entry))
    map_dict[-1] = width
    check_size(len(int_entry) + max(0, b - a + 1))
    if a <= b:
        codes = range(a, b + 1)
        map_dict.update(zip(map(chr, codes), map(chr, range(c, c + len(codes))), strict=True))
        int_entry.extend(codes)
    return True


@cache  # decided once per process, whichever way: every PDF inspection asks
def install() -> bool:
    """Put the shortcut in front of pypdf's range reader, once, if pypdf agrees with it."""
    try:
        from pypdf import _cmap
    except ImportError:
        return False
    original = getattr(_cmap, "parse_bfrange", None)
    check_size = getattr(_cmap, "_check_mapping_size", None)
    if original is None or check_size is None:
        return False

    def parse_bfrange(line: bytes, map_dict: dict[Any, Any], int_entry: list[int],
                      multiline_rg: tuple[int, int] | None) -> tuple[int, int] | None:
        if multiline_rg is None and _fast_range(line, map_dict, int_entry, check_size):
            return None
        return original(line, map_dict, int_entry, multiline_rg)

    if not agrees(original, parse_bfrange):
        log.info("pypdf reads ToUnicode ranges differently from the shortcut; using pypdf's own reader")
        return False
    parse_bfrange.original = original  # type: ignore[attr-defined]
    _cmap.parse_bfrange = parse_bfrange
    return True


_SAMPLES = (b"0000 00FF 0000", b"20 7E 0020", b"D7F0 E010 D7F0", b"0041 0043 00C0", b"0100 0000 0041",
            b"00 FF 0100", b"0001 0001 FFFF")


def agrees(original: Callable[..., Any], shortcut: Callable[..., Any], samples: tuple[bytes, ...] = _SAMPLES) -> bool:
    """Whether `shortcut` leaves exactly what `original` leaves (maps, code lists, result) on `samples`."""
    for line in samples:
        results = []
        for fn in (original, shortcut):
            map_dict: dict[Any, Any] = {}
            int_entry: list[int] = []
            try:
                ret: object = fn(line, map_dict, int_entry, None)
            except Exception as exc:  # noqa: BLE001 - an error is an outcome to compare too
                ret = type(exc)
            results.append((ret, map_dict, int_entry))
        if results[0] != results[1]:
            return False
    return True
