"""The learned text model's opinion, as one symbol whose weight follows its calibrated probability.

Active only when the engine has a state directory holding a model trained with
`mailwarden learn` (see `mailwarden.model`). The default engine ships no model.

Fact: `ctx.facts["model"] = {"probability": float, "top_terms": [str]}` when a model ran.

Config (`[model]` in the deployment config): `floor` and `full` move the probability band
over which MODEL_PHISH grows from nothing to its full weight (defaults 0.85 and 0.99).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from mailwarden.analyzers.base import Analyzer
from mailwarden.brands import BrandIndex, default_index, index_with_own_domains
from mailwarden.context import ScanContext
from mailwarden.delivery_report import is_delivery_report, returned_message
from mailwarden.findings import Finding
from mailwarden.message import Message

log = logging.getLogger(__name__)

# Below FLOOR the model says nothing; from FLOOR to FULL the symbol's weight grows linearly,
# reaching its full catalogue weight at FULL. Measured on a split of the development corpus:
# legitimate newsletters reach 0.95 and more, so the model alone tags only from about 0.97.
FLOOR = 0.85
FULL = 0.99


def factor_for(p: float, floor: float = FLOOR, full: float = FULL) -> float:
    return max(0.0, min(1.0, (p - floor) / (full - floor)))


def _readable(term: str) -> str:
    """A feature token as a person reads it: subject words and link parts unprefixed, lure tags dropped."""
    if term.startswith("lure_"):
        return ""
    if term.startswith("s_"):
        return repr(term[2:])
    if term.startswith(("u_h_", "u_p_")):
        return f"link part {term[4:]!r}"
    if term.startswith("u_tld_"):
        return f"link domain .{term[6:]}"
    return repr(term)


class ModelAnalyzer(Analyzer):
    name = "model"
    requires = ("lures",)

    def __init__(self) -> None:
        self.model: Any = None
        self.floor, self.full = FLOOR, FULL
        self.brands: BrandIndex | None = None

    def setup(self, engine: Any) -> None:
        section = engine.config.section("model") if getattr(engine, "config", None) else {}
        floor, full = section.get("floor", FLOOR), section.get("full", FULL)
        if not (isinstance(floor, int | float) and isinstance(full, int | float) and 0 <= floor < full <= 1):
            raise ValueError(f"[model] floor and full must be numbers with 0 <= floor < full <= 1 "
                             f"(got {floor!r}, {full!r})")
        self.floor, self.full = float(floor), float(full)
        own = list(getattr(getattr(engine, "config", None), "own_domains", None) or [])
        self.brands = index_with_own_domains(own) if own else default_index()
        state_dir = getattr(engine, "state_dir", None)
        if not state_dir:
            return
        from mailwarden.model import ModelError, load_model
        from mailwarden.model.features import document_terms

        # kept for analyze(): an import statement there would run on every message
        self.document_terms = document_terms

        try:
            self.model = load_model(state_dir)
        except ModelError as exc:
            log.warning("learned model not used: %s", exc)
            self.model = None

    def analyze(self, msg: Message, ctx: ScanContext) -> Iterator[Finding]:
        if self.model is None:
            return
        reporter = self._provider_report(msg, ctx)
        judged = msg
        if reporter:
            # A provider's own bounce: judge only the returned message (see mailwarden.delivery_report).
            judged = returned_message(msg)
            if judged is None:
                ctx.facts["model"] = {"probability": None, "top_terms": [], "judged": f"delivery report from "
                                      f"{reporter}, nothing returned"}
                return
            cats = None
        else:
            lures = ctx.facts.get("lures")
            # Same categories as training sees: those found in the subject or the text.
            cats = [c for c, where in lures["fields"].items() if "subject" in where or "body" in where] \
                if lures else None
        doc = self.document_terms(judged, cats)  # the terms of features.document(), as a set
        p = self.model.probability(doc)
        fact: dict = {"probability": round(p, 4), "top_terms": [],
                      "judged": f"the message returned in a delivery report from {reporter}" if reporter
                      else "the message"}
        ctx.facts["model"] = fact
        factor = factor_for(p, self.floor, self.full)
        if factor <= 0:
            return
        terms = self.model.top_terms(doc, 8)
        fact["top_terms"] = terms
        words = list(dict.fromkeys(w for w in map(_readable, terms) if w))[:3]
        trained = self.model.meta
        shown = min(p, 0.99)  # a calibrated model is never certain; do not print 100%
        what = "the message returned in this delivery report" if reporter else "this message"
        yield Finding("MODEL_PHISH", f"The learned text model rates {what} {shown:.0%} likely phishing or "
                      f"fraud{' (words such as ' + ', '.join(words) + ')' if words else ''}.",
                      [f"probability {p:.3f}", f"model trained on {trained.get('phish', '?')} phish and "
                       f"{trained.get('ham', '?')} ham"]
                      + ([f"judged: {fact['judged']}"] if reporter else []) + [f"term: {t}" for t in terms],
                      factor=factor)

    def _provider_report(self, msg: Message, ctx: ScanContext) -> str | None:
        """The domain of an authenticated bounce from a known mail provider or this organisation.

        Only a known provider's report is taken as the provider's own words: anyone can send a
        report-shaped message from a domain of their own, and an unknown domain's "report" text is
        then theirs to write."""
        if ctx.envelope.mail_from != "" or not is_delivery_report(msg):  # bounces have a null sender
            return None
        domain = (ctx.from_info.get("domain") or "").lower()
        af = ctx.facts.get("auth")
        if not domain or af is None or not af.authenticated_as(domain):
            return None
        brands = self.brands or default_index()
        return domain if brands.brand_for_domain(domain) is not None else None  # a brand's or "own"


ANALYZER = ModelAnalyzer
