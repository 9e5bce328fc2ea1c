"""Scores shared by scripts/train.py and scripts/evaluate.py (same definitions as
shared/eval/score.py: macro-F1 over the labels present, the two costly errors)."""
from __future__ import annotations

from collections import Counter

from .vocabulary import LABELS


def score(gold: list[str], pred: list[str]) -> dict:
    cm = Counter(zip(gold, pred))
    per = {}
    f1s = []
    for L in LABELS:
        tp = cm[(L, L)]
        fp = sum(v for (g, p), v in cm.items() if p == L and g != L)
        fn = sum(v for (g, p), v in cm.items() if g == L and p != L)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        if tp + fn:
            f1s.append(f1)
        per[L] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4), "support": tp + fn}
    legit = sum(v for (g, _), v in cm.items() if g == "legitimate")
    alarms = sum(v for (g, p), v in cm.items() if g == "legitimate" and p in ("scam", "abusive"))
    scams = sum(v for (g, _), v in cm.items() if g == "scam")
    scam_legit = sum(v for (g, p), v in cm.items() if g == "scam" and p == "legitimate")
    n = len(gold)
    return {
        "n": n,
        "accuracy": round(sum(cm[(L, L)] for L in LABELS) / n, 4) if n else 0.0,
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "per_class": per,
        "legit_called_scam_or_abusive": round(alarms / legit, 4) if legit else None,
        "scam_called_legitimate": round(scam_legit / scams, 4) if scams else None,
        "confusion": {g: {p: cm[(g, p)] for p in LABELS} for g in LABELS},
    }


def format_report(s: dict) -> str:
    lines = [f"n={s['n']}  accuracy={s['accuracy']:.3f}  macro_f1={s['macro_f1']:.3f}",
             "gold \\ pred    " + " ".join(f"{L[:6]:>7}" for L in LABELS)]
    for g in LABELS:
        lines.append(f"{g:<13} " + " ".join(f"{s['confusion'][g][p]:>7}" for p in LABELS))
    for L, m in s["per_class"].items():
        lines.append(f"  {L:<11} P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f} n={m['support']}")
    lines.append(f"legitimate called scam/abusive: {s['legit_called_scam_or_abusive']}   "
                 f"scam called legitimate: {s['scam_called_legitimate']}")
    return "\n".join(lines)
