"""The ToUnicode range shortcut leaves exactly what pypdf's own reader leaves, on every line shape."""

from __future__ import annotations

import random

import pytest

pytest.importorskip("pypdf")

from pypdf import _cmap  # noqa: E402

from mailwarden.attachments import pdf_cmap  # noqa: E402


def _original():  # noqa: ANN202
    pdf_cmap.install()
    fn = _cmap.parse_bfrange
    return getattr(fn, "original", fn)


def _outcome(fn, line: bytes, map_dict: dict | None = None, int_entry: list | None = None):  # noqa: ANN001, ANN202
    map_dict = {} if map_dict is None else dict(map_dict)
    int_entry = [] if int_entry is None else list(int_entry)
    try:
        ret = fn(line, map_dict, int_entry, None)
    except Exception as exc:  # noqa: BLE001
        ret = (type(exc), str(exc))
    return ret, map_dict, int_entry


def test_installed_with_this_pypdf() -> None:
    assert pdf_cmap.install()
    assert hasattr(_cmap.parse_bfrange, "original")


def _random_token(rng: random.Random) -> bytes:
    kind = rng.random()
    if kind < 0.05:
        return rng.choice([b"-1", b"0x10", b"1_0", b"ZZ", b"[", b"]", b"00G0", b"+0F", b"\xff"])
    digits = rng.choice([1, 2, 2, 3, 4, 4, 4, 5, 6, 8])
    value = rng.choice([0, rng.randrange(256), rng.randrange(0xD700, 0xE100), rng.randrange(0xFF00, 0x10000),
                        rng.randrange(16 ** digits)])
    return (b"%0*X" % (digits, value % (16 ** digits)))


@pytest.mark.parametrize("seed", range(4))
def test_random_lines_agree(seed: int) -> None:
    rng = random.Random(seed)
    original, shortcut = _original(), _cmap.parse_bfrange
    for _ in range(3000):
        toks = [_random_token(rng) for _ in range(rng.choice([2, 3, 3, 3, 4]))]
        if len(toks) >= 2:  # ranges of at most a few thousand codes keep pypdf's own reader quick
            try:
                start, end = int(toks[0], 16), int(toks[1], 16)
            except ValueError:
                start = end = 0
            if end - start > 2000 or rng.random() < 0.5:
                width = max(1, len(toks[0]))
                toks[1] = b"%0*X" % (width, (max(0, start) + rng.randrange(-3, 300)) % (16 ** width))
        line = b" ".join(toks)
        prior = {-1: 2, "a": "b"} if rng.random() < 0.3 else None
        assert _outcome(shortcut, line, prior, [1] if prior else None) == \
            _outcome(original, line, prior, [1] if prior else None), line


@pytest.mark.parametrize("line", [
    b"0000 FFFF 0000",  # the full 16-bit identity range of a CJK or subset font
    b"00 FF 0000", b"20 7E 0020", b"D800 DFFF D800", b"0000 0010 FFF0", b"0010 0000 0041", b"0 FFF 0041",
    b"0000 FFFF", b"0000 0005 [ 0041 0042 ]", b"0000 0002 00410042", b"0000 0003 10000",
])
def test_chosen_lines_agree(line: bytes) -> None:
    assert _outcome(_cmap.parse_bfrange, line) == _outcome(_original(), line)


def test_a_range_past_the_size_limit_is_refused_like_pypdf() -> None:
    big = b"0000 FFFF 0000"
    prior = dict.fromkeys(range(50_000), "x")
    prior_codes = list(range(50_000))
    a = _outcome(_cmap.parse_bfrange, big, prior, prior_codes)
    b = _outcome(_original(), big, prior, prior_codes)
    assert a == b and isinstance(a[0], tuple)  # an error, the same one


def test_a_reader_that_disagrees_keeps_the_shortcut_off() -> None:
    def different(line, map_dict, int_entry, multiline_rg):  # noqa: ANN001, ANN202 - pypdf's signature
        map_dict[-1] = 2
        for code in range(int(line.split()[0], 16), int(line.split()[1], 16) + 1):
            map_dict[chr(code)] = "?"
        return None

    def shortcut(line, map_dict, int_entry, multiline_rg):  # noqa: ANN001, ANN202
        if pdf_cmap._fast_range(line, map_dict, int_entry, lambda n: None):
            return None
        return different(line, map_dict, int_entry, multiline_rg)

    assert not pdf_cmap.agrees(different, shortcut)
    assert pdf_cmap.agrees(_original(), _cmap.parse_bfrange)
