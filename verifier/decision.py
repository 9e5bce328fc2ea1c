"""Who sets the label: the model, or a rule whose declared role lets it overrule the model.

:func:`decide` takes the rule hits and the model's probabilities and returns a
:class:`Decision` (label, confidence, by, rule), which the JSON shows as ``decision``. The
thresholds are recorded in the model card (``decision``) and read back from it.
"""
from __future__ import annotations

from typing import NamedTuple

from .vocabulary import LABELS

THRESHOLDS = {
    "unsure_below": 0.5,   # below this the model's top label is not trusted
    "hard_floor": 0.9,     # the least confidence of a verdict a hard rule decided
}
RULES_OF_DECISION = {
    "hard": "a hard scam rule decides alone unless a defuse rule (a scam warning) fired",
    "guard": "a legitimate call with a guard rule (scam/abusive) becomes suspicious",
    "uncertain": "below unsure_below with a risky rule: suspicious",
    "no_risk": "a suspicious or unsure call with no risky rule is legitimate (no risk found)",
}


class Decision(NamedTuple):
    """Who set the label and why: ``by`` is "rule" (a hard rule decided alone), "guard" (the
    model said legitimate against a strong scam/abuse rule), "uncertain" (the model was unsure
    and there is something to verify), "no_risk" (the model leaned to suspicious but nothing in
    the message can be named to verify) or "model"; ``rule`` is the deciding rule's id."""
    label: str
    confidence: float
    by: str
    rule: str | None = None

    @property
    def decided_by(self) -> str:
        return f"{self.by}:{self.rule}" if self.rule else self.by


def decide(hits, probs: dict[str, float], thresholds: dict | None = None) -> Decision:
    """A hard rule decides alone (high precision wins over the model); otherwise the model's
    label, except: an unsure model says 'suspicious' when there is something to verify; a
    'legitimate' call that contradicts a strong scam/abuse rule is downgraded to 'suspicious';
    and 'suspicious' needs a reason a person can check (a risky rule), else it is
    'legitimate' — a message is never suspicious only for its style; an unsure lean to scam or
    abuse with no rule behind it is 'legitimate' too (no risk a person could check).

    Which rules may overrule the model is their declared role (``hard``, ``guard``, ``defuse``),
    never their weight; ``thresholds`` are the model card's (THRESHOLDS when not given)."""
    th = thresholds or THRESHOLDS
    hard = sorted((h for h in hits if h.rule.hard), key=lambda h: -h.rule.weight)
    defused = any(h.rule.defuses_hard for h in hits)  # a scam WARNING quotes scam words: the model decides
    if hard and not defused:
        return Decision("scam", max(probs.get("scam", 0.0), th["hard_floor"]), "rule", hard[0].rule.id)
    risky = [h for h in hits if h.rule.label != "legitimate"]
    label = max(LABELS, key=lambda L: probs.get(L, 0.0))
    conf = probs.get(label, 0.0)
    if label == "legitimate" and not defused:
        guards = [h for h in risky if h.rule.guard]
        if guards:
            return Decision("suspicious", 1.0 - conf, "guard", guards[0].rule.id)
    if conf < th["unsure_below"] and label != "suspicious":
        if risky:
            return Decision("suspicious", conf, "uncertain")  # unsure: the confidence says so (< 0.5)
        if label != "legitimate":  # an unsure lean on wording alone, with nothing a person could check
            return Decision("legitimate", 1.0 - conf, "no_risk")
    if label == "suspicious" and not risky:
        return Decision("legitimate", probs.get("legitimate", 0.0) + probs.get("suspicious", 0.0), "no_risk")
    return Decision(label, conf, "model")


def without_reason(d: Decision, checkable: bool, probs: dict[str, float], thresholds: dict | None = None) -> Decision:
    """A scam or abuse call that no rule supports and whose wording cannot be shown: suspicious
    when something else can be checked (a risky rule about the sender, a link…), else
    legitimate (no risk found)."""
    if checkable:
        return Decision("suspicious", min(1.0 - probs.get("legitimate", 0.0), (thresholds or THRESHOLDS)["unsure_below"]),
                        "uncertain")
    return Decision("legitimate", 1.0 - probs.get(d.label, 0.0), "no_risk")


