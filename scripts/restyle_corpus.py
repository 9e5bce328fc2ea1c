#!/usr/bin/env python3
"""One-off, recorded for the data card: restyle the first eight corpus files so that their
style says nothing about the label (issue: no style shortcuts).

For each message (choices seeded by its id, so a rerun gives the same files): record its
writer (one per file) and topic; drop the sender unless a sender rule is what the label rests
on; mask digits and names; drop the signature; or cut it to its core sentences — each with
verifier.restyle and kept only when the message still carries its label (training.render_ok).

    python scripts/restyle_corpus.py data/corpus/abusive.jsonl ...   # rewrites the files in place
"""
import hashlib
import json
import sys
from pathlib import Path

from verifier import analysis, restyle
from verifier.training import keep_spans, render_ok

# per label: (drop sender, mask, drop signature, cut to core) probabilities
PLAN = {
    "legitimate": (0.70, 0.22, 0.50, 0.45),
    "scam": (0.70, 0.30, 0.10, 0.90),
    "abusive": (0.70, 0.25, 0.10, 0.45),
    "suspicious": (0.85, 0.70, 0.00, 0.05),
}


def chance(rid: str, what: str) -> float:
    return int(hashlib.sha1(f"{what}:{rid}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def topic_of(r: dict, a) -> str:
    about = "about.debt" in a.facts or r.get("lender")
    if r["label"] == "legitimate":
        return "debt" if about else "ordinary"
    if r["label"] == "suspicious":
        return "debt" if about else "nondebt_risky"
    return "debt"


def restyle_row(pl, r: dict) -> dict:
    L = r["label"]
    a = pl.analyze(r["text"], sender=r.get("sender"), received_at=r.get("received_at"))
    p_sender, p_mask, p_unsign, p_core = PLAN[L]
    text, sender = r["text"], r.get("sender")
    if sender and chance(r["id"], "sender") < p_sender:
        b = pl.analyze(text, received_at=r.get("received_at"))
        if render_ok(a, b, L):  # the label does not rest on the sender alone
            sender = None
    for what, p, fn in (("core", p_core, lambda t, b: restyle.core(t, keep_spans(b, L))),
                        ("unsign", p_unsign, lambda t, b: restyle.unsigned(t)),
                        ("mask", p_mask, lambda t, b: restyle.masked(t))):
        if chance(r["id"], what) >= p:
            continue
        cur = pl.analyze(text, sender=sender, received_at=r.get("received_at"))
        new_text = fn(text, cur)
        if new_text and new_text != text:
            b = pl.analyze(new_text, sender=sender, received_at=r.get("received_at"))
            if render_ok(cur, b, L) and (L != "legitimate" or not any(h.rule.label != "legitimate" for h in b.hits if h.rule.label in ("scam", "abusive"))):
                text = new_text
    final = pl.analyze(text, sender=sender, received_at=r.get("received_at"))
    out = {k: r[k] for k in ("id", "text", "label", "family")}
    out.update(text=text, topic=topic_of(r, final), writer=r.get("writer") or "w0-" + r["_file"], lender=r.get("lender"),
               sender=sender, received_at=r.get("received_at"), kind=r.get("kind"), source=r.get("source", "written"))
    return out


def main(paths) -> int:
    pl = analysis.default()
    for p in map(Path, paths):
        rows = [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]
        out = []
        for r in rows:
            r["_file"] = p.stem
            out.append(restyle_row(pl, r))
        debt_families = {r["family"] for r in out if r["topic"] == "debt"}
        for r in out:  # one topic per family: about a debt when any of its messages is
            if r["family"] in debt_families:
                r["topic"] = "debt"
        p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
        print(f"{p}: {len(out)} messages restyled", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
