"""A regex's matches found by entering it only where one of its literal starts is written.

`LiteralScreen.of(rx)` reads, from the parsed pattern, the literal text every match begins with (or,
for an alternative without one, a literal every match of it holds); `finditer(text)` then finds those
starts in one Aho-Corasick pass and tries the regex there, instead of the regex engine trying its
alternatives at every position. Used for the platform fields' few hundred lure phrases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import _constants as sre_constants
from re import _parser as sre_parser

import ahocorasick

_ZERO_WIDTH = (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT)


def _anchors(items: list) -> tuple[set[str], set[str]] | None:
    r"""For the parsed sequence `items` (re._parser), (starts, guards): every match begins with one of
    `starts` or contains one of `guards` (literal text); None when neither can be said of some match.

    Literals are collected from the front (zero-width assertions are skipped: they consume nothing);
    the first branch, group or one-of-several-letters set splits the start into its alternatives'
    starts. An alternative with no literal start (`\d+ ?% bonus`) gives instead the longest run of
    literals its sequence holds at top level, which every match of it contains."""
    lead = ""
    for op, av in items:
        if op is sre_constants.LITERAL:
            lead += chr(av)
            continue
        if op in _ZERO_WIDTH:
            continue
        if op is sre_constants.BRANCH:
            alts = [list(alt) for alt in av[1]]
        elif op is sre_constants.SUBPATTERN and not av[1] & re.IGNORECASE:  # not a (?i:…) group
            alts = [list(av[-1])]
        elif op is sre_constants.IN and av and all(o is sre_constants.LITERAL for o, _ in av):
            alts = [[member] for member in av]
        else:
            break
        starts: set[str] = set()
        guards: set[str] = set()
        for alt in alts:
            found = _anchors(alt)
            if found is None:
                return ({lead}, set()) if lead else None
            starts.update(lead + s for s in found[0])
            guards.update(found[1])
        if guards and lead:  # some alternative has no literal start, but all of them follow `lead`
            return {lead}, set()
        return starts, guards
    if lead:
        return {lead}, set()
    runs, run = [], ""
    for op, av in items:
        if op is sre_constants.LITERAL:
            run += chr(av)
        else:
            runs.append(run)
            run = ""
    longest = max([*runs, run], key=len)
    return (set(), {longest}) if longest else None


class LiteralScreen:
    r"""`rx.finditer(text)` with the regex entered only where a match can start.

    A pattern like the field lures (`(?<!\w)(?:call (?:us|now)|invoice|…)(?!\w)`) makes the regex
    engine try its alternatives at every position of the text; but every match begins with one of a
    few hundred literal starts (`call `, `invoice`, …), which one Aho-Corasick pass finds. The matches
    are the same: finditer's next match is the leftmost one at or after the end of the last, and it
    starts where one of the starts is written, so trying `rx.match` there, in order, finds it (the
    match at a position does not depend on where the search began: look-behinds see the whole text).
    Alternatives without a literal start each name a literal every match of theirs holds; a text
    holding one of those is searched whole."""

    def __init__(self, rx: re.Pattern[str], starts: set[str], guards: set[str]) -> None:
        self.rx = rx
        self.guards = tuple(guards)
        self.automaton = ahocorasick.Automaton()
        for s in starts:
            self.automaton.add_word(s, len(s) - 1)  # the value: how far the start lies before a hit's end
        self.automaton.make_automaton()

    @classmethod
    def of(cls, rx: re.Pattern[str]) -> LiteralScreen | None:
        """The screen for `rx`, or None when its starts cannot be read (case-insensitive, or a match
        that could begin anywhere)."""
        if rx.flags & re.IGNORECASE:
            return None
        try:
            found = _anchors(list(sre_parser.parse(rx.pattern, rx.flags)))
        except (re.error, AttributeError, TypeError, ValueError):
            return None
        if found is None or not found[0] or "" in found[0]:
            return None
        return cls(rx, *found)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if any(g in text for g in self.guards):
            return self.rx.finditer(text)
        return self._screened(text)

    def _screened(self, text: str) -> Iterator[re.Match[str]]:
        match = self.rx.match
        last = 0
        for pos in sorted({end - back for end, back in self.automaton.iter(text)}):
            if pos >= last:
                m = match(text, pos)
                if m:
                    last = m.end()  # matches are never empty: each begins with a literal start
                    yield m
