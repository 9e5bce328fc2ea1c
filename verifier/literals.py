"""What a regular expression's matches must contain, so that it need not run on text that lacks it.

:func:`required_literals` reads a pattern's parse tree and returns strings one of which every
match contains (or None when that cannot be told); :func:`gate` turns that into a fast test.
The rule engine gates every pattern rule this way (one Aho-Corasick pass for all of them), and
the extractors gate their own scans. It only ever skips a regex that cannot match.
"""
from __future__ import annotations

import re


class _Unknown(Exception):
    """What a pattern must contain cannot be told."""


def _chars_of(op, av) -> list[str]:
    """The characters one literal or character set can match."""
    import re._constants as C

    if op is C.LITERAL:
        return [chr(av)]
    if op is C.IN:
        out: list[str] = []
        for o, a in av:
            if o is C.LITERAL:
                out.append(chr(a))
            elif o is C.RANGE and a[1] - a[0] <= 64:
                out.extend(chr(x) for x in range(a[0], a[1] + 1))
            else:
                raise _Unknown  # \d, a negated set, a wide range…
        return out
    raise _Unknown


def _better(a: frozenset[str], b: frozenset[str] | None) -> bool:
    """Is literal set ``a`` a more selective gate than ``b`` (longer shortest member, then fewer)?"""
    if b is None:
        return True
    return (min(map(len, a)), -len(a)) > (min(map(len, b)), -len(b))


def _fixed(op, av, limit: int) -> list[str] | None:
    """The strings an element can match when it is fixed ("a", [ab], (?:qq|微信)), else None."""
    import re._constants as C

    try:
        if op in (C.LITERAL, C.IN):
            return _chars_of(op, av)
        if op is C.SUBPATTERN and not av[1] & re.IGNORECASE:
            return _fixed_seq(av[3], limit)
        if op is C.BRANCH:
            out: list[str] = []
            for alt in av[1]:
                part = _fixed_seq(alt, limit)
                if part is None:
                    return None
                out += part
            return out if len(out) <= limit else None
    except _Unknown:
        return None
    return None


def _fixed_seq(items, limit: int) -> list[str] | None:
    out = [""]
    for op, av in items:
        part = _fixed(op, av, limit)
        if part is None:
            return None
        out = [h + c for h in out for c in part]
        if len(out) > limit:
            return None
    return out


def _required(items, limit: int) -> frozenset[str] | None:
    """A set of strings one of which every match of the sequence ``items`` contains (the most
    selective such set found), or None."""
    import re._constants as C

    best: frozenset[str] | None = None
    run: set[str] = {""}

    def consider(lits) -> None:
        nonlocal best
        if lits and "" not in lits and len(lits) <= limit and _better(frozenset(lits), best):
            best = frozenset(lits)

    for op, av in items:
        cs = _fixed(op, av, limit)
        if cs is not None:  # a run of fixed strings (literals, small sets, groups of them): every match holds one
            grown = {h + c for h in run for c in cs}
            if len(grown) > limit:
                consider(run)
                grown = set(cs)
            run = grown
            continue
        consider(run)
        run = {""}
        if op is C.SUBPATTERN and not av[1] & re.IGNORECASE:
            consider(_required(av[3], limit))
        elif op is C.BRANCH:
            alts = [_required(alt, limit) for alt in av[1]]
            if all(x is not None for x in alts):
                consider(frozenset().union(*alts))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)) and av[0] >= 1:
            consider(_required(av[2], limit))
        # anything else (., \d, an optional part, a look-around, ^ $) requires nothing here
    consider(run)
    return best


def required_literals(pattern: str, limit: int = 64) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` contains, or None when that cannot be told.
    A message containing none of them cannot match, so the regex is not run at all (the literal
    gate: all rules' literals are found in one Aho-Corasick pass)."""
    import re._parser as P

    try:
        tree = P.parse(pattern)
        if tree.state.flags & re.IGNORECASE:
            return None
        return _required(list(tree), limit)
    except (_Unknown, re.error, RecursionError):
        return None


def gate(pattern: re.Pattern | str):
    """A function text -> bool that is False only when ``pattern`` cannot match the text (it
    holds none of the required literals); always True when nothing is required."""
    pat = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    lits = required_literals(pat)
    if lits is None:
        return lambda text: True
    finder = re.compile("|".join(re.escape(x) for x in sorted(lits, key=len, reverse=True)))
    return lambda text: finder.search(text) is not None
