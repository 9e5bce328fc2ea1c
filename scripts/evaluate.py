#!/usr/bin/env python3
"""Score labelled messages through the public API (verifier.check_many), like shared/eval/score.py.

    python scripts/evaluate.py FILE.jsonl [FILE.jsonl ...] [--errors] [--json]
    python scripts/evaluate.py --heldout [--errors]     # the corpus families the model never saw

By default each message is checked with its text and sender only, exactly as
shared/eval/score.py does; --time also passes received_at (night-time and burst signals).
Prints the confusion matrix, per-class precision/recall/F1, macro-F1, genuine notices called
scam or abusive, scams called legitimate, and with --errors the misclassified messages.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--heldout", action="store_true", help="score the held-out families of data/corpus")
    ap.add_argument("--errors", action="store_true", help="list the misclassified messages")
    ap.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    ap.add_argument("--time", action="store_true", help="also pass received_at (shared/eval/score.py passes only text and sender)")
    args = ap.parse_args(argv)

    from verifier import check_many, metrics

    rows = []
    if args.heldout:
        sys.path.insert(0, str(REPO / "scripts"))
        from train import heldout_rows

        rows.extend(heldout_rows())
    for p in args.files:
        with open(p, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    rows.append(json.loads(line))
    rows = [r for r in rows if r.get("label") in metrics.LABELS]
    if not rows:
        print("nothing to score: give labelled JSONL files or --heldout", file=sys.stderr)
        return 2
    t = time.perf_counter()
    verdicts = list(check_many({"text": r["text"], "sender": r.get("sender"),
                                "received_at": r.get("received_at") if args.time else None} for r in rows))
    dt = time.perf_counter() - t
    gold = [r["label"] for r in rows]
    pred = [v.label for v in verdicts]
    s = metrics.score(gold, pred)
    s["seconds"] = round(dt, 3)
    if args.json:
        print(json.dumps(s, ensure_ascii=False))
    else:
        print(metrics.format_report(s))
        print(f"({len(rows)} messages in {dt:.2f}s)")
    if args.errors:
        for r, v in zip(rows, verdicts):
            if v.label != r["label"]:
                top = "; ".join(e.signal for e in v.evidence[:3])
                print(f"[{r['label']} -> {v.label} {v.confidence:.2f} {v.decided_by}] {r.get('id', '')} {r['text'][:110]!r}  <{top}>")
    return 0


if __name__ == "__main__":
    sys.exit(main())
