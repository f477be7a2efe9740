"""Where messages come from on the command line: files, directories, mbox files, Maildirs, stdin."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# An mbox message starts at a `From ` line that opens the file or follows an empty line.
# The separator must look like a real envelope line (sender, then a date with a time), so that a
# body line starting "From here on" does not split a message.
_MBOX_SEPARATOR = re.compile(rb"\r?\n\r?\nFrom [^\s:]+[ \t]+[^\r\n]*\d\d:\d\d[^\r\n]*\r?\n")
_MBOX_START = re.compile(rb"From [^\s:]")


@dataclass
class InputItem:
    label: str  # "path", "path#N" (N-th message of an mbox, 1-based) or "-"
    data: bytes | None
    error: str | None = None


def is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def split_mbox(data: bytes) -> list[bytes]:
    """Messages of an mbox file (each keeps its `From ` line); a file with one message is returned whole."""
    if not _MBOX_START.match(data) or not _MBOX_SEPARATOR.search(data):
        return [data]
    out, start = [], 0
    for m in _MBOX_SEPARATOR.finditer(data):
        from_pos = data.index(b"From ", m.start())
        out.append(data[start:from_pos])
        start = from_pos
    out.append(data[start:])
    return [m for m in out if m.strip()]


def _read(path: Path) -> InputItem | bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        return InputItem(str(path), None, f"cannot read {path}: {exc.strerror or exc}")


def _file_items(path: Path) -> Iterator[InputItem]:
    data = _read(path)
    if isinstance(data, InputItem):
        yield data
        return
    messages = split_mbox(data)
    if len(messages) == 1:
        yield InputItem(str(path), messages[0])
    else:
        for i, m in enumerate(messages, 1):
            yield InputItem(f"{path}#{i}", m)


def _walk(root: Path) -> Iterator[Path]:
    if is_maildir(root):
        for sub in ("new", "cur"):
            yield from sorted(p for p in (root / sub).iterdir() if p.is_file() and not p.name.startswith("."))
        for child in sorted(root.iterdir()):  # Maildir++ subfolders: .Folder/
            if child.is_dir() and child.name.startswith(".") and is_maildir(child):
                yield from _walk(child)
        return
    for dirpath, dirnames, filenames in os.walk(root, onerror=None):
        dirnames.sort()
        d = Path(dirpath)
        if is_maildir(d) and d != root:
            dirnames[:] = []
            yield from _walk(d)
            continue
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            yield d / name


def iter_inputs(paths: list[str]) -> Iterator[InputItem]:
    for p in paths:
        if p == "-":
            yield InputItem("-", sys.stdin.buffer.read())
            continue
        path = Path(p)
        if path.is_dir():
            for f in _walk(path):
                yield from _file_items(f)
        elif path.exists():
            yield from _file_items(path)
        else:
            yield InputItem(p, None, f"no such file or directory: {p}")
