"""Mutation fuzzing of the whole engine: hostile variants of real messages, never run as a test.

Takes seed messages (a folder, default ../shared/corpus, or the built-in seeds with --builtin),
mutates them the ways hostile mail does (byte flips and truncation, header floods and folding,
broken and nested MIME, base64 and quoted-printable garbage, encoded-word storms, NULs, overlong
lines, HTML nesting, spliced messages) and scans each variant in this process. It reports:

- a scan that raised out of `Engine.scan` (must never happen) or ended in ENGINE_ERROR;
- an analyzer that failed on the input (ANALYZER_ERROR: contained, but a bug all the same);
- a scan slower than --slow seconds, and the peak memory of the process.

Each failing input is written to --out, named by the kind of failure, for a regression test.
    python bench/fuzz.py [DIR] --minutes 10 --seed 1 --out /tmp/fuzz-failures
"""

from __future__ import annotations

import argparse
import base64
import random
import resource
import sys
import time
from collections import Counter
from hashlib import sha1
from pathlib import Path

from mailwarden.engine_options import EngineOptions, build_engine

REPO = Path(__file__).resolve().parent.parent

BUILTIN_SEEDS = [
    b"From: Support <help@paypal.com>\r\nTo: you@example.org\r\nSubject: =?utf-8?B?QWN0aW9uIHJlcXVpcmVk?=\r\n"
    b"Message-ID: <a@b>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
    b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nCall +1 (808) 555-0199 to cancel the $499 charge.\r\n"
    b"--b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"<html><body><a href=3D\"https://login-paypa1.example/x\">paypal.com</a>"
    b"<div style=3D\"display:none\">hidden</div><form action=3D\"https://x.example\">"
    b"<input type=3Dpassword></form></body></html>\r\n--b1--\r\n",
    b"Received: from mx.example (mx.example [192.0.2.1]) by in.example.org with ESMTPS id 1;"
    b" Mon, 1 Jan 2024 10:00:00 +0000\r\nAuthentication-Results: in.example.org; spf=pass smtp.mailfrom=x.example;"
    b" dkim=pass header.d=x.example; dmarc=pass header.from=x.example\r\nFrom: a@x.example\r\n"
    b"Subject: Invoice\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\n"
    b"See attached.\r\n--zz\r\nContent-Type: application/zip; name=\"inv.pdf.zip\"\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(b"PK\x03\x04" + bytes(60)) +
    b"\r\n--zz--\r\n",
]


def _seeds(directory: str | None, limit: int, rnd: random.Random) -> list[bytes]:
    if directory is None:
        return list(BUILTIN_SEEDS)
    files = sorted(p for p in Path(directory).rglob("*") if p.is_file() and p.suffix in (".eml", ""))
    files = [p for p in files if p.name not in ("README.md", "MANIFEST.csv")]
    rnd.shuffle(files)
    return [p.read_bytes() for p in files[:limit]] or list(BUILTIN_SEEDS)


def _split(raw: bytes) -> tuple[bytes, bytes]:
    for sep in (b"\r\n\r\n", b"\n\n"):
        i = raw.find(sep)
        if i >= 0:
            return raw[:i], raw[i + len(sep):]
    return raw, b""


def _flip(raw: bytes, rnd: random.Random) -> bytes:
    b = bytearray(raw)
    for _ in range(rnd.randint(1, 20)):
        if b:
            b[rnd.randrange(len(b))] = rnd.randrange(256)
    return bytes(b)


def _truncate(raw: bytes, rnd: random.Random) -> bytes:
    return raw[: rnd.randrange(len(raw) + 1)]


def _header_flood(raw: bytes, rnd: random.Random) -> bytes:
    head, body = _split(raw)
    name = rnd.choice([b"Received", b"From", b"Subject", b"X-Junk", b"Authentication-Results", b"To",
                       b"Content-Type", b"ARC-Seal", b"DKIM-Signature"])
    value = rnd.choice([b"x" * rnd.randint(1, 100_000), b"=?utf-8?q?" + b"=41" * 5000 + b"?=",
                        b"a@b, " * 5000, b"from a by b; " * 100, b"\t" * 1000 + b"z"])
    extra = b"".join(name + b": " + value + b"\r\n" for _ in range(rnd.randint(1, 300)))
    return head + b"\r\n" + extra + b"\r\n" + body


def _fold(raw: bytes, rnd: random.Random) -> bytes:
    head, body = _split(raw)
    return head.replace(b" ", b"\r\n ", rnd.randint(1, 2000)) + b"\r\n\r\n" + body


def _mime_nest(raw: bytes, rnd: random.Random) -> bytes:
    depth = rnd.randint(5, 300)
    opening = b"".join(b"Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n" % (i, i)
                       for i in range(depth))
    return b"From: a@b.example\r\n" + opening + raw + (b"\r\n--b0--\r\n" if rnd.random() < 0.5 else b"")


def _bad_boundaries(raw: bytes, rnd: random.Random) -> bytes:
    return raw.replace(b"--", rnd.choice([b"-", b"---", b"--\x00", b"--" + b"a" * 1000, b""]), rnd.randint(1, 50))


def _garbage_encodings(raw: bytes, rnd: random.Random) -> bytes:
    junk = rnd.choice([bytes(rnd.randrange(256) for _ in range(5000)), b"====" * 2000, b"=\r\n" * 3000,
                       b"\xff\xfe" * 3000, b"A" * 100_001])
    head, body = _split(raw)
    cte = rnd.choice([b"base64", b"quoted-printable", b"x-uuencode", b"8bit", b"7bit; x=\"y"])
    cs = rnd.choice([b"utf-8", b"utf-7", b"x-unknown", b"iso-2022-jp", b"utf-16", b"\xff"])
    return (head + b"\r\nContent-Transfer-Encoding: " + cte + b"\r\nContent-Type: text/html; charset=" + cs
            + b"\r\n\r\n" + junk + body)


def _encoded_words(raw: bytes, rnd: random.Random) -> bytes:
    word = rnd.choice([b"=?utf-8?b?" + base64.b64encode("\u202e\u200b".encode() * 20) + b"?=",
                       b"=?x?q?a?=", b"=?utf-8?b?!!!!?=", b"=?=?=?", b"=?utf-8*en?q?=E2=80?="])
    return b"Subject: " + word * rnd.randint(1, 3000) + b"\r\nFrom: " + word * 50 + b" <a@b.example>\r\n" + raw


def _nuls_and_lines(raw: bytes, rnd: random.Random) -> bytes:
    pos = rnd.randrange(len(raw) + 1)
    blob = rnd.choice([b"\x00" * 1000, b"x" * 2_000_000, b"\r" * 10000, b"\n" * 10000, b"\r\n.\r\n" * 100])
    return raw[:pos] + blob + raw[pos:]


def _html_nest(raw: bytes, rnd: random.Random) -> bytes:
    depth = rnd.randint(100, 20000)
    tag = rnd.choice([b"<div style='display:none'>", b"<a href='https://x.example/'>", b"<table><tr><td>",
                      b"<b>", b"<svg><foreignObject>", b"<!--", b"<style>", b"<form action='//e.example'>"])
    return (b"From: a@b.example\r\nContent-Type: text/html\r\n\r\n" + tag * depth + b"paypal.com" + raw[-2000:])


def _splice(raw: bytes, rnd: random.Random, other: bytes) -> bytes:
    a, b = rnd.randrange(len(raw) + 1), rnd.randrange(len(other) + 1)
    return raw[:a] + other[b:]


MUTATORS = [_flip, _truncate, _header_flood, _fold, _mime_nest, _bad_boundaries, _garbage_encodings,
            _encoded_words, _nuls_and_lines, _html_nest]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("directory", nargs="?", default=str(REPO.parent / "shared" / "corpus"))
    ap.add_argument("--builtin", action="store_true", help="use the built-in seeds, not a folder")
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", type=int, default=300, help="how many seed messages to take from the folder")
    ap.add_argument("--slow", type=float, default=5.0, help="report scans slower than this many seconds")
    ap.add_argument("--out", default="fuzz-failures")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    directory = None if args.builtin or not Path(args.directory).is_dir() else args.directory
    seeds = _seeds(directory, args.seeds, rnd)
    engine = build_engine(EngineOptions(offline=True, trust_upstream=["microsoft", "google", "proton"], record=False))
    engine.warm_up()
    out = Path(args.out)
    failures: Counter[str] = Counter()
    slowest = (0.0, "")
    n = 0
    stop = time.monotonic() + args.minutes * 60
    while time.monotonic() < stop:
        raw = rnd.choice(seeds)
        steps = []
        for _ in range(rnd.randint(1, 3)):
            mut = rnd.choice(MUTATORS + ["splice"])
            if mut == "splice":
                raw = _splice(raw, rnd, rnd.choice(seeds))
                steps.append("splice")
            else:
                raw = mut(raw, rnd)
                steps.append(mut.__name__.strip("_"))
        n += 1
        t = time.perf_counter()
        try:
            verdict = engine.scan(raw, None, file="fuzz")
        except BaseException as exc:  # noqa: BLE001 - scan must never raise: that is the finding
            kind = f"raised-{type(exc).__name__}"
        else:
            symbols = {f.symbol for f in verdict.findings}
            kind = ("engine-error" if "ENGINE_ERROR" in symbols else
                    "analyzer-error" if "ANALYZER_ERROR" in symbols else "")
            if kind:
                kind += "-" + "-".join(sorted(f.evidence[0].split()[0] for f in verdict.findings
                                              if f.symbol in ("ENGINE_ERROR", "ANALYZER_ERROR") and f.evidence))[:60]
        elapsed = time.perf_counter() - t
        if elapsed > slowest[0]:
            slowest = (elapsed, "+".join(steps))
        if not kind and elapsed > args.slow:
            kind = "slow"
        if kind:
            failures[kind] += 1
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{kind}-{sha1(raw).hexdigest()[:12]}.eml").write_bytes(raw)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{n} variants of {len(seeds)} seeds; slowest {slowest[0]:.2f}s ({slowest[1]}); peak RSS {peak:.0f} MB")
    for kind, count in failures.most_common():
        print(f"  {count:5d}  {kind}")
    if failures:
        print(f"failing inputs in {out}/")
        sys.exit(1)
    print("no failures")


if __name__ == "__main__":
    main()
