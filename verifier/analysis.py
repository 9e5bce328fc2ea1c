"""The one pass over a message, in five stages: normalise → extract → resolve → facts → rules.

:meth:`Analyzer.analyze` is the only place that knows this order; each stage is one module
(``normalize``, ``extract``, ``resolve``, ``facts``, ``rules``). It returns an :class:`Analysis`,
the input of both the model's features (``tokens``) and the explanation (``explain``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache

from .extract import Entities, entities
from .facts import Facts, facts_of
from .normalize import Normalized, normalize
from .registry import Lender, Registry
from .resolve import Resolution, resolve
from .rules.engine import Doc, Hit, RuleSet
from .timeline import parse_time


@dataclass(frozen=True)
class Analysis:
    norm: Normalized          # stage 1: the normalised text and its map back to the raw text
    found: Entities           # stage 2: links, numbers, cards, signatures…
    who: Resolution           # stage 3: whose they are
    received_at: datetime | None
    facts: Facts              # stage 4: predicate -> normalised spans
    hits: tuple[Hit, ...]     # stage 5: the rules that fired

    @property
    def text(self) -> str:
        return self.norm.text

    @property
    def lender(self) -> Lender | None:
        """The lender the message claims to be from (or whose number sent it)."""
        return self.who.lender

    @property
    def about_debt(self) -> bool:
        """Is the message about a loan or a debt (debt words, or a lender it claims to be from)?"""
        return "about.debt" in self.facts or self.lender is not None

    @cached_property
    def masked(self) -> str:
        """The normalised text as the model's n-grams see it (entities as placeholder words)."""
        from .featurize import masked_text

        found = self.found
        return masked_text(self.text, found.urls, found.phones, found.amounts)


class Analyzer:
    """Holds what is built once (registry, rules) and runs the five stages for one message."""

    def __init__(self, registry: Registry, rules: RuleSet):
        self.registry = registry
        self.rules = rules

    def analyze(self, text: str, sender: str | None = None, received_at=None, burst: bool = False) -> Analysis:
        """``burst``: the message came in a burst from its sender (``timeline.burst_flags``)."""
        norm = normalize(text)
        found = entities(norm, sender)
        who = resolve(norm.text, found, self.registry)
        when = parse_time(received_at)
        facts = facts_of(found, who, self.rules.phrase_spans("debt_words", norm.text), when, burst)
        hits = tuple(self.rules.run(Doc(norm.text, facts, found.signature_spans)))
        return Analysis(norm=norm, found=found, who=who, received_at=when, facts=facts, hits=hits)


@lru_cache(maxsize=1)
def default() -> Analyzer:
    from . import registry, rules

    return Analyzer(registry.default(), rules.default())
