"""Attachment inspection: true file types, archives, Office files, PDFs, markup, calendars, QR codes.

Every input here is hostile. Each inspector takes bytes and an `AttachmentBudget`, never raises on
content (a corrupt file or a bomb becomes an `Observation`), and bounds the bytes it reads, the bytes
it decompresses, the members it visits, the nesting depth, the pages and the pixels it decodes, and
the wall time it spends (the budget's deadline).

The analyzer in `mailwarden.analyzers.attachments` turns observations into findings.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AttachmentLimits:
    max_inspect_bytes: int = 25 * 1024 * 1024  # one attachment's bytes given to parsers
    max_archive_members: int = 1_000  # members listed per archive
    max_archive_total: int = 100 * 1024 * 1024  # sum of declared uncompressed sizes per archive
    max_member_bytes: int = 20 * 1024 * 1024  # one member actually decompressed
    max_decompressed_total: int = 60 * 1024 * 1024  # everything decompressed for one message
    max_ratio: float = 100.0  # declared compression ratio of one member
    max_depth: int = 3  # archives inside archives we still open
    max_pdf_pages: int = 30  # pages whose annotations/images we read
    max_pdf_objects: int = 50_000  # objects a PDF may declare before we stop reading it
    max_pdf_images: int = 8  # embedded images decoded for QR codes per PDF
    max_image_pixels: int = 16_000_000  # an image larger than this is not decoded (decompression bombs)
    max_images: int = 12  # images QR-decoded per message
    max_markup_bytes: int = 2 * 1024 * 1024  # HTML/SVG/ICS text parsed
    max_urls: int = 200  # URLs kept from all attachments
    seconds: float = 4.0  # wall time for all attachments of one message


@dataclass
class AttachmentBudget:
    """Counters shared by every attachment of one message."""

    limits: AttachmentLimits = field(default_factory=AttachmentLimits)
    deadline: float = field(default=0.0)
    decompressed: int = 0
    images: int = 0

    def __post_init__(self) -> None:
        if not self.deadline:
            self.deadline = time.monotonic() + self.limits.seconds

    def time_left(self) -> float:
        return self.deadline - time.monotonic()

    def out_of_time(self) -> bool:
        return self.time_left() <= 0


@dataclass
class Observation:
    """One thing an inspector saw; the analyzer maps `kind` to a symbol."""

    kind: str
    detail: str
    evidence: list[str] = field(default_factory=list)


@dataclass
class Inspection:
    """What inspecting one attachment (or archive member) produced."""

    observations: list[Observation] = field(default_factory=list)
    urls: list[tuple[str, str]] = field(default_factory=list)  # (url, where it was found)
    texts: list[tuple[str, str]] = field(default_factory=list)  # (text shown to a reader, where)

    def add(self, kind: str, detail: str, *evidence: str) -> None:
        self.observations.append(Observation(kind, detail, [e for e in evidence if e]))

    def extend(self, other: Inspection) -> None:
        self.observations.extend(other.observations)
        self.urls.extend(other.urls)
        self.texts.extend(other.texts)

    def kinds(self) -> set[str]:
        return {o.kind for o in self.observations}
