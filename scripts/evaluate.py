#!/usr/bin/env python3
"""Score labelled messages through the public API (verifier.check_many), like shared/eval/score.py.

    python scripts/evaluate.py FILE.jsonl [FILE.jsonl ...] [--errors] [--json]
    python scripts/evaluate.py --heldout [--errors]     # the corpus families the model never saw
    python scripts/evaluate.py --heldout --shifted      # the same, style-shifted: core sentence,
                                                        # no signature, masked, no sender

By default each message is checked with its text and sender only, exactly as
shared/eval/score.py does; --time also passes received_at (night-time and burst signals).
Prints the confusion matrix, per-class precision/recall/F1, macro-F1, genuine notices called
scam or abusive, scams called legitimate, the recall of each fraud family and of ordinary
messages (where rows carry a ``topic``), how many verdicts rest on the model's wording alone,
and with --errors the misclassified messages.
"""
import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--heldout", action="store_true", help="score the held-out families of data/corpus")
    ap.add_argument("--shifted", action="store_true", help="render every message style-shifted before checking it")
    ap.add_argument("--by", choices=("writer", "topic", "file"), help="also score each writer / topic separately")
    ap.add_argument("--errors", action="store_true", help="list the misclassified messages")
    ap.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    ap.add_argument("--time", action="store_true", help="also pass received_at (shared/eval/score.py passes only text and sender)")
    args = ap.parse_args(argv)

    from verifier import analysis, check_many, metrics
    from verifier.training import shifted_row, topic_recall

    rows = []
    if args.heldout:
        from verifier.training import heldout_rows

        rows.extend(dict(r, file="heldout") for r in heldout_rows(Path(__file__).resolve().parent.parent / "data" / "corpus"))
    for p in args.files:
        with open(p, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    rows.append(dict(json.loads(line), file=p.name))
    rows = [r for r in rows if r.get("label") in metrics.LABELS]
    if not rows:
        print("nothing to score: give labelled JSONL files or --heldout", file=sys.stderr)
        return 2
    if args.shifted:
        pl = analysis.default()
        rows = [shifted_row(pl, r)[0] for r in rows]
    t = time.perf_counter()
    verdicts = list(check_many({"text": r["text"], "sender": r.get("sender"),
                                "received_at": r.get("received_at") if args.time else None} for r in rows))
    dt = time.perf_counter() - t
    gold = [r["label"] for r in rows]
    pred = [v.label for v in verdicts]
    s = metrics.score(gold, pred)
    s["seconds"] = round(dt, 3)
    s["topics"] = topic_recall(rows, pred)
    wording = sum(1 for v in verdicts if v.label != "legitimate" and v.evidence
                  and all(e.signal == "model_wording" or e.label == "legitimate" for e in v.evidence))
    s["model_wording_only"] = round(wording / len(rows), 4)
    if args.by:
        parts = defaultdict(list)
        for i, r in enumerate(rows):
            parts[r.get(args.by) or "?"].append(i)
        s["by_" + args.by] = {k: metrics.score([gold[i] for i in ix], [pred[i] for i in ix])["macro_f1"] for k, ix in sorted(parts.items())}
    if args.json:
        print(json.dumps(s, ensure_ascii=False))
    else:
        print(metrics.format_report(s))
        if s["topics"]:
            print("per family (fraud: share called scam; ordinary: share called legitimate):")
            for k, v in s["topics"].items():
                print(f"  {k:<15} recall={v['recall']:.3f} n={v['n']}")
        print(f"verdicts resting on the model's wording alone: {s['model_wording_only']:.1%}")
        if args.by:
            worst = min(s["by_" + args.by].items(), key=lambda kv: kv[1])
            print(f"macro-F1 by {args.by}: " + ", ".join(f"{k} {v:.3f}" for k, v in s["by_" + args.by].items()) + f"  (worst: {worst[0]})")
        print(f"({len(rows)} messages in {dt:.2f}s)")
    if args.errors:
        for r, v in zip(rows, verdicts):
            if v.label != r["label"]:
                top = "; ".join(e.signal for e in v.evidence[:3])
                print(f"[{r['label']} -> {v.label} {v.confidence:.2f} {v.decided_by}] {r.get('id', '')} {r['text'][:110]!r}  <{top}>")
    return 0


if __name__ == "__main__":
    sys.exit(main())
