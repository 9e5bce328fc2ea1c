#!/usr/bin/env python3
"""Train the verifier classifier from data/corpus — one deterministic command.

    python scripts/train.py                 # writes models/verifier.joblib + models/verifier.json
    python scripts/train.py --out /tmp/m --limit 600 --quick   # a small, fast run (tests)

Families (templates) never straddle a split: every family whose stable hash falls in the
held-out fifth is kept out of training entirely and only scored. On the training families,
candidate models (a linear model and a tree ensemble on the same features) are compared by
GroupKFold cross-validation by family; the winner (best macro-F1 without worse costly errors)
is calibrated (sigmoid, family-grouped folds), scored on the held-out families, and shipped.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SEED = 20261124
HELDOUT_BUCKETS = 5  # one family in five is held out


def heldout_family(family: str) -> bool:
    return int(hashlib.sha1(family.encode("utf-8")).hexdigest(), 16) % HELDOUT_BUCKETS == 0


def heldout_rows(corpus: Path = REPO / "data" / "corpus") -> list[dict]:
    """The messages of the held-out families (never trained on), in corpus order."""
    rows, _ = load_corpus(sorted(Path(corpus).glob("*.jsonl")))
    return [r for r in rows if heldout_family(r["family"])]


def load_corpus(paths: list[Path]) -> tuple[list[dict], str]:
    rows, h = [], hashlib.sha256()
    for p in sorted(paths):
        data = p.read_bytes()
        h.update(p.name.encode() + b"\0" + data)
        for i, line in enumerate(data.decode("utf-8").splitlines(), 1):
            if line.strip():
                r = json.loads(line)
                r["_where"] = f"{p.name}:{i}"
                rows.append(r)
    return rows, h.hexdigest()


def candidates(quick: bool):
    from sklearn.ensemble import ExtraTreesClassifier
    from sklearn.linear_model import LogisticRegression

    lin = [("logreg", {"C": c}, LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=SEED))
           for c in ((4.0,) if quick else (1.0, 4.0, 16.0))]
    trees = [("extratrees", {"n_estimators": n, "min_samples_leaf": 1},
              ExtraTreesClassifier(n_estimators=n, class_weight="balanced", random_state=SEED, n_jobs=1))
             for n in ((60,) if quick else (300,))]
    return lin + trees


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=REPO / "data" / "corpus")
    ap.add_argument("--out", type=Path, default=REPO / "models")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N families' messages (tests)")
    ap.add_argument("--quick", action="store_true", help="fewer candidates and folds (tests)")
    ap.add_argument("--text-weight", type=float, default=0.6, help="weight of the n-gram block against the structured block")
    args = ap.parse_args(argv)

    import numpy as np
    import sklearn
    from sklearn.base import clone
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import Pipeline

    from verifier import features, metrics, model, pipeline

    t0 = time.time()
    files = sorted(args.corpus.glob("*.jsonl"))
    if not files:
        print(f"no corpus files in {args.corpus}", file=sys.stderr)
        return 2
    rows, data_sha = load_corpus(files)
    rows = [r for r in rows if r.get("label") in metrics.LABELS and isinstance(r.get("text"), str) and r["text"].strip()]
    if args.limit:  # the first families of each label, in turn, until --limit families
        by_label: dict[str, list[str]] = {}
        for r in rows:
            fl = by_label.setdefault(r["label"], [])
            if r["family"] not in fl:
                fl.append(r["family"])
        keep: set[str] = set()
        k = 0
        while len(keep) < args.limit and any(k < len(v) for v in by_label.values()):
            for L in metrics.LABELS:
                if k < len(by_label.get(L, ())) and len(keep) < args.limit:
                    keep.add(by_label[L][k])
            k += 1
        rows = [r for r in rows if r["family"] in keep]
    pl = pipeline.default()
    bursts = pipeline.burst_flags((r.get("sender"), r.get("received_at")) for r in rows)
    analyses = [pl.analyze(r["text"], sender=r.get("sender"), received_at=r.get("received_at"), burst=b) for r, b in zip(rows, bursts)]
    y = np.array([r["label"] for r in rows])
    fam = np.array([r["family"] for r in rows])
    test = np.array([heldout_family(f) for f in fam])
    tr_idx, te_idx = np.where(~test)[0], np.where(test)[0]
    X_tr = [analyses[i] for i in tr_idx]
    X_te = [analyses[i] for i in te_idx]
    y_tr, y_te, g_tr = y[tr_idx], y[te_idx], fam[tr_idx]
    print(f"{len(rows)} messages, {len(set(fam))} families; train {len(tr_idx)} / held-out {len(te_idx)} "
          f"({len(set(fam[te_idx]))} families); analysed in {time.time() - t0:.1f}s", file=sys.stderr)

    rule_ids = tuple(r.id for r in pl.rules.rules)
    n_splits = 3 if args.quick else 5
    folds = list(GroupKFold(n_splits=n_splits).split(X_tr, y_tr, g_tr))

    # one feature union fitted per fold (no leakage of a fold's n-grams into its own training)
    fold_feats = []
    for a, b in folds:
        fu = features.build_features(rule_ids, args.text_weight)
        A = fu.fit_transform([X_tr[i] for i in a])
        B = fu.transform([X_tr[i] for i in b])
        fold_feats.append((A, B))
    results = []
    for name, params, est in candidates(args.quick):
        pred = np.empty(len(y_tr), dtype=object)
        for (a, b), (A, B) in zip(folds, fold_feats):
            m = clone(est).fit(A, y_tr[a])
            pred[b] = m.predict(B)
        s = metrics.score(list(y_tr), list(pred))
        results.append((name, params, est, s))
        print(f"  CV {name} {params}: macro-F1 {s['macro_f1']:.3f}  legit→scam/abusive {s['legit_called_scam_or_abusive']}  "
              f"scam→legit {s['scam_called_legitimate']}", file=sys.stderr)

    def key(r):
        s = r[3]
        return (round(s["macro_f1"], 3) - 2 * (s["legit_called_scam_or_abusive"] or 0) - 3 * (s["scam_called_legitimate"] or 0))

    best = max(results, key=key)
    name, params, est, cv_score = best
    print(f"chosen: {name} {params}", file=sys.stderr)

    calibrated = CalibratedClassifierCV(clone(est), method="sigmoid", cv=list(GroupKFold(n_splits=n_splits).split(X_tr, y_tr, g_tr)))
    final = Pipeline([("features", features.build_features(rule_ids, args.text_weight)), ("clf", calibrated)])
    final.fit(X_tr, y_tr)

    from verifier import explain

    held = {}
    if len(te_idx):
        P = final.predict_proba(X_te)
        labels = [str(c) for c in final.classes_]
        raw_pred = [labels[int(np.argmax(p))] for p in P]
        dec_pred = [explain.decide(a.hits, dict(zip(labels, map(float, p))))[0] for a, p in zip(X_te, P)]
        # as shared/eval/score.py sees them: text and sender only (no received_at, no bursts)
        X_plain = [pl.analyze(rows[i]["text"], sender=rows[i].get("sender")) for i in te_idx]
        P_plain = final.predict_proba(X_plain)
        plain_pred = [explain.decide(a.hits, dict(zip(labels, map(float, p))))[0] for a, p in zip(X_plain, P_plain)]
        held = {"model_only": metrics.score(list(y_te), raw_pred), "with_decision_layer": metrics.score(list(y_te), dec_pred),
                "text_and_sender_only": metrics.score(list(y_te), plain_pred)}
        print("held-out (model + decision layer):\n" + metrics.format_report(held["with_decision_layer"]), file=sys.stderr)
        print("held-out, text and sender only (as shared/eval/score.py):\n" + metrics.format_report(held["text_and_sender_only"]), file=sys.stderr)

    import jieba
    import joblib
    import scipy

    from verifier.resources import registry_dir, rules_dir

    card = {
        "name": "verifier collection-SMS classifier",
        "labels": [str(c) for c in final.classes_],
        "model": {"name": name, "params": params, "calibration": "sigmoid, GroupKFold by family",
                  "text_weight": args.text_weight},
        "features": ["rule hits (one per rule id) and each label's summed rule priors",
                     "entity and registry predicates (lender named/licensed, signature known/unknown, url/phone official/other/unknown/look-alike, cards, QQ/WeChat, amounts, dates, deadlines)",
                     "sender class and lender kind", "char 2-3-gram TF-IDF of the masked normalised text",
                     "jieba word 1-2-gram TF-IDF of the masked normalised text"],
        "seed": SEED,
        "training_data": {"files": [p.name for p in files], "sha256": data_sha, "messages": len(rows),
                          "families": int(len(set(fam))), "train_messages": int(len(tr_idx)),
                          "heldout_messages": int(len(te_idx)), "heldout_families": int(len(set(fam[te_idx]))),
                          "heldout_rule": f"sha1(family) % {HELDOUT_BUCKETS} == 0", "limit": args.limit},
        "rules": {"count": len(rule_ids), "sha256": model.sha256_dir(rules_dir(), "*.toml")},
        "registry": {"entries": len(pl.registry.lenders), "sha256": model.sha256_dir(registry_dir(), "*.toml")},
        "cv": [{"model": n, "params": p, "macro_f1": s["macro_f1"], "legit_called_scam_or_abusive": s["legit_called_scam_or_abusive"],
                "scam_called_legitimate": s["scam_called_legitimate"]} for n, p, _, s in results],
        "cv_folds": n_splits,
        "heldout": held,
        "versions": {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "numpy": np.__version__,
                     "scipy": scipy.__version__, "joblib": joblib.__version__, "jieba": getattr(jieba, "__version__", "?")},
    }
    path = model.save(final, card, args.out)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB) and its card in {time.time() - t0:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
