"""The result a person, a script or the web page receives: :class:`Verdict` and its
:class:`Evidence`, with the one ``to_dict`` shape the CLI's ``--json``, the Python API and the
server's JSON all use.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .vocabulary import LABEL_NAMES


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason, with the exact words of the original message (``start``/``end`` index the
    text as given; None for facts about the sender or the time). A rule's evidence carries the
    rule's hand-set ``prior``; the model's own wording carries its ``learned`` contribution."""
    signal: str
    start: int | None
    end: int | None
    quote: str | None
    explanation: str
    label: str = ""
    basis: str = ""
    prior: float | None = None
    learned: float | None = None

    @property
    def rank(self) -> float:
        """How strongly this reason counts, for ordering: the prior, else the learned weight."""
        return self.prior if self.prior is not None else (self.learned or 0.0)

    def to_dict(self) -> dict:
        return {"signal": self.signal, "label": self.label, "start": self.start, "end": self.end, "quote": self.quote,
                "prior": None if self.prior is None else round(float(self.prior), 3),
                "learned": None if self.learned is None else round(float(self.learned), 3),
                "explanation": self.explanation}


@dataclass(frozen=True)
class Verdict:
    label: str
    confidence: float
    summary: str
    evidence: tuple[Evidence, ...]
    advice: tuple[str, ...]
    lender: dict | None
    decided_by: str = "model"
    probabilities: dict = field(default_factory=dict)
    lang: str = "zh"
    notes: tuple[str, ...] = ()
    about_debt: bool = True  # False: not about a loan or debt at all (an inbox can set these aside)

    def to_dict(self) -> dict:
        by, _, rule = self.decided_by.partition(":")
        return {
            "label": self.label,
            "confidence": round(float(self.confidence), 3),
            "summary": self.summary,
            "evidence": [e.to_dict() for e in self.evidence],
            "advice": list(self.advice),
            "lender": self.lender,
            "decided_by": self.decided_by,
            "decision": {"by": by, "rule": rule or None},
            "probabilities": {k: round(float(v), 3) for k, v in self.probabilities.items()},
            "notes": list(self.notes),
            "about_debt": self.about_debt,
        }

    @property
    def label_text(self) -> str:
        return LABEL_NAMES.get(self.lang, LABEL_NAMES["zh"])[self.label]
