"""The scan pipeline: `scan(raw, envelope, engine) -> Verdict`.

Every front end (CLI, milter, IMAP, HTTP) calls this and nothing else. An
`Engine` is the long-lived context (policy, config, resolver, analyzers, state);
a `ScanContext` lives for one message.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import Any

from mailwarden.analyzers import builtin_analyzer_classes, order_analyzers, plugin_analyzer_classes
from mailwarden.analyzers.base import Analyzer
from mailwarden.config import Config
from mailwarden.context import ScanContext
from mailwarden.envelope import Envelope, derive_envelope
from mailwarden.findings import Finding
from mailwarden.message import Message, lookup_charset
from mailwarden.policy import Policy, load_policy
from mailwarden.summary import summarise
from mailwarden.symbols import Symbol, builtin_catalogue
from mailwarden.verdict import ScoredFinding, Verdict

log = logging.getLogger(__name__)


# Charsets common in mail beyond UTF-8 (warm_up imports their codecs)
_COMMON_CHARSETS = ("us-ascii", "iso-8859-1", "iso-8859-2", "iso-8859-5", "iso-8859-6", "iso-8859-7", "iso-8859-9",
                    "iso-8859-15", "windows-1250", "windows-1251", "windows-1252", "windows-1254", "windows-1256",
                    "koi8-r", "gb2312", "gbk", "gb18030", "big5", "shift_jis", "euc-jp", "iso-2022-jp", "euc-kr",
                    "utf-7", "utf-16")


class Engine:
    """Everything that outlives one message. Build once, scan many."""

    def __init__(self, policy: Policy | None = None, config: Config | None = None, *,
                 resolver: Any = None, analyzers: str | list[str] = "all", state_dir: str | None = None,
                 trusted_upstream: list[str] | None = None) -> None:
        self.config = config or Config()
        self.policy = policy or load_policy()
        self.limits = self.config.limits
        self.state_dir = state_dir or self.config.state_dir
        self.trusted_upstream = list(trusted_upstream if trusted_upstream is not None
                                     else self.config.trusted_upstream)
        self._resolver = resolver
        self.store: Any = None  # history store, opened by the history analyzer when state is configured
        self.record_history = True  # eval and bench scan a state without recording into it
        self.catalogue: dict[str, Symbol] = dict(builtin_catalogue())
        self.analyzers = self._load_analyzers(analyzers)
        self.policy.validate(self.catalogue)

    @property
    def resolver(self) -> Any:
        """The DNS port. Created on first use so that offline runs never touch the network."""
        if self._resolver is None:
            try:
                from mailwarden.dns import default_resolver

                self._resolver = default_resolver(self.config)
            except ImportError:
                self._resolver = None
        return self._resolver

    def _load_analyzers(self, selection: str | list[str]) -> list[Analyzer]:
        if selection == "none":
            return []
        classes = builtin_analyzer_classes() + plugin_analyzer_classes()
        if selection != "all":
            wanted = set(selection)
            unknown = wanted - {c.name for c in classes}
            if unknown:
                raise ValueError(f"unknown analyzer(s): {', '.join(sorted(unknown))}; "
                                 f"known: {', '.join(sorted(c.name for c in classes))}")
            classes = [c for c in classes if c.name in wanted]
        analyzers = []
        for cls in classes:
            inst = cls()
            for name, sym in inst.symbols().items():
                self.catalogue.setdefault(name, sym)
            inst.setup(self)
            analyzers.append(inst)
        return order_analyzers(analyzers)

    def analyzer(self, name: str) -> Analyzer | None:
        return next((a for a in self.analyzers if a.name == name), None)

    def warm_up(self) -> None:
        """Load now what the first messages would otherwise load (Analyzer.warm_up): for the
        long-running front ends, so the first PDF after a start does not wait for imports. Then
        freeze what is alive (gc.freeze): it is the process's for good, and full collections skip it."""
        for charset in _COMMON_CHARSETS:  # each codec module is imported by its first message
            lookup_charset(charset)
        for analyzer in self.analyzers:
            warm = getattr(analyzer, "warm_up", None)  # plugins need not subclass Analyzer
            if warm is None:
                continue
            try:
                warm()
            except Exception:  # noqa: BLE001 - a failed warm-up only means a slower first message
                log.exception("analyzer %s failed to warm up", analyzer.name)
        # Everything alive now (libraries, brand and suffix tables, phone metadata, compiled patterns)
        # lives as long as the process. Frozen, the cycle collector stops re-reading it on every full
        # collection: those took up to 140 ms mid-scan, twice per corpus pass, and now take ~25 ms.
        # Forked workers also stop copying these pages when a collection would have touched them.
        gc.collect()
        gc.freeze()

    def scan(self, raw: bytes, envelope: Envelope | None = None, file: str | None = None) -> Verdict:
        t0 = time.monotonic()
        try:
            verdict = self._scan(raw, envelope, t0, file)
        except Exception as exc:  # noqa: BLE001 - the engine must answer, never crash the caller
            log.exception("internal error while scanning %s", file or "message")
            verdict = self.failure_verdict(f"{type(exc).__name__}: {exc}")
        verdict.file = file
        verdict.elapsed_ms = (time.monotonic() - t0) * 1000
        return verdict

    def failure_verdict(self, reason: str) -> Verdict:
        """What an unanalysable message maps to: the configured failure action, never a silent drop."""
        return failure_verdict(self.config.failure_action, reason,
                               "The engine failed on this message; it was passed on per the failure policy.")

    def _scan(self, raw: bytes, given: Envelope | None, t0: float, file: str | None = None) -> Verdict:
        msg = Message.parse(raw, self.limits)
        env = derive_envelope(msg, given)
        ctx = ScanContext(engine=self, envelope=env, deadline=t0 + self.limits.scan_seconds)
        monotonic = time.monotonic
        for analyzer in self.analyzers:
            if monotonic() >= ctx.deadline:  # ctx.time_left() <= 0, without a method call per analyzer
                msg._budget.hit("scan_time", f"scan took longer than {self.limits.scan_seconds:g}s; "
                                f"analyzers from {analyzer.name!r} on were skipped", [analyzer.name])
                break
            try:
                ctx.findings.extend(analyzer.analyze(msg, ctx) or ())
            except Exception as exc:  # noqa: BLE001 - one broken analyzer must not sink the verdict
                log.exception("analyzer %s failed", analyzer.name)
                ctx.findings.append(Finding("ANALYZER_ERROR", f"The {analyzer.name} check failed on this message "
                                            "and was skipped.", [f"{analyzer.name}: {type(exc).__name__}: {exc}"]))
        _ = msg.subject, msg.message_id  # decode now so their budget hits become findings below
        for hit in msg.limit_hits:
            ctx.findings.append(Finding(hit.symbol, hit.detail, hit.evidence or [hit.budget]))
        for d in msg.defects:
            ctx.findings.append(Finding(d.symbol, d.detail, d.evidence or [d.symbol]))
        self._apply_exceptions(msg, ctx)
        verdict = self._verdict(msg, ctx)
        verdict.file = file  # before finalize(), so history records where the message came from
        for analyzer in self.analyzers:
            try:
                analyzer.finalize(msg, ctx, verdict)
            except Exception:  # noqa: BLE001 - recording must not lose the verdict
                log.exception("analyzer %s failed after the verdict", analyzer.name)
        return verdict

    def _apply_exceptions(self, msg: Message, ctx: ScanContext) -> None:
        if not self.config.exceptions:
            return
        senders = [ctx.from_info.get("address") or "", ctx.envelope.mail_from or ""]
        domains = [ctx.from_info.get("domain") or ""] + [ctx.auth.get("dmarc", {}).get("domain") or ""]
        for ex in self.config.exceptions:
            if ex.matches(senders, ctx.envelope.rcpt, domains):
                what = f"action {ex.action}" if ex.action else f"symbols {', '.join(ex.symbols)} neutralised"
                reason = f" ({ex.reason})" if ex.reason else ""
                ctx.findings.append(Finding("ADMIN_EXCEPTION", f"An administrator exception applied: "
                                            f"{what}{reason}.", [ex.describe()]))
                ctx.facts.setdefault("exceptions", []).append(ex)

    def _verdict(self, msg: Message, ctx: ScanContext) -> Verdict:
        merged: dict[str, Finding] = {}
        for f in ctx.findings:  # a symbol counts once; its evidence accumulates
            if f.symbol in merged:
                m = merged[f.symbol]
                m.evidence.extend(e for e in f.evidence if e not in m.evidence)
                del m.evidence[20:]
                m.factor = max(m.factor, f.factor)
            else:
                merged[f.symbol] = Finding(f.symbol, f.detail, list(f.evidence), f.factor)
        findings = list(merged.values())
        weights = {i: self.policy.weight(f.symbol, self.catalogue) * f.factor for i, f in enumerate(findings)}
        neutral: set[str] = set()
        forced: str | None = None
        for ex in ctx.facts.get("exceptions", []):
            neutral.update(ex.symbols)
            forced = ex.action or forced
        for i, f in enumerate(findings):
            if f.symbol in neutral:
                weights[i] = 0.0
        for comp, parts in self.policy.apply_composites(findings, weights):
            weights[len(findings)] = comp.weight
            findings.append(Finding(comp.name, f"{comp.description}.", parts or [comp.expression]))
        scored = []
        for i, f in enumerate(findings):
            sym = self.catalogue.get(f.symbol)
            desc = sym.description if sym else next((c.description for c in self.policy.composites
                                                     if c.name == f.symbol), f.symbol)
            scored.append(ScoredFinding(f.symbol, weights[i], desc, f.detail, f.evidence))
        score = sum(s.weight for s in scored)
        action = forced or self.policy.action_for(score)
        scored.sort(key=lambda s: (-abs(s.weight), s.symbol))
        verdict = Verdict(action=action, score=score, summary="", findings=scored)
        verdict.summary = summarise(action, verdict.reasons(2))
        verdict.message_id = msg.message_id
        verdict.subject = msg.subject
        verdict.from_ = dict(ctx.from_info)
        verdict.envelope = ctx.envelope.to_dict()
        verdict.auth = ctx.auth
        verdict.platform = ctx.platform
        verdict.urls = list(ctx.urls)
        verdict.phones = list(ctx.phones)
        verdict.campaign = ctx.campaign
        verdict.limits = [h.symbol for h in msg.limit_hits]
        verdict.authentication_results = ctx.authentication_results
        return verdict


def failure_verdict(action: str, reason: str, detail: str) -> Verdict:
    """A verdict for a message that could not be judged (engine error, timeout, dead worker)."""
    finding = ScoredFinding("ENGINE_ERROR", 0.0, builtin_catalogue()["ENGINE_ERROR"].description, detail,
                            [reason[:300]])
    return Verdict(action=action, score=0.0, summary=summarise("tempfail", [finding]), findings=[finding],
                   limits=["engine_error"])


def scan(raw: bytes, envelope: Envelope | None = None, context: Engine | None = None) -> Verdict:
    """Scan one message. `context` is a long-lived Engine; a default one is built when omitted."""
    return (context or _default_engine()).scan(raw, envelope)


_DEFAULT: Engine | None = None


def _default_engine() -> Engine:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Engine()
    return _DEFAULT
