"""Training and its honest scores (``scripts/train.py`` is the command; tests import this module).

- The split: every family whose ``sha1(family) % 5 == 0`` is held out (never trained on, never
  used to choose a model); a family never straddles the split.
- Style augmentation: every training message is also shown without its signature, cut to its
  core sentences, masked, without its sender and all of these at once (:mod:`verifier.restyle`),
  inside its own family; a rendering that loses the words its label rests on is dropped.
- Model selection: cross-validation grouped by WRITER (leave one writer out), so a model is
  chosen for how it does on a writer it never saw; every writer's score and the worst are kept.
- Held-out scores: as shared/eval/score.py checks (text and sender), with the arrival time,
  and style-shifted (core sentences, unsigned, masked, no sender); per fraud family and for
  ordinary messages.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "data" / "corpus"
SEED = 20261124
HELDOUT_BUCKETS = 5  # one family in five is held out
TOPICS_REPORTED = ("ordinary", "fake_authority", "loan_fee", "fake_service", "impersonation", "fake_bank", "prize_refund")


def heldout_family(family: str) -> bool:
    return int(hashlib.sha1(family.encode("utf-8")).hexdigest(), 16) % HELDOUT_BUCKETS == 0


def load_corpus(paths) -> tuple[list[dict], str]:
    rows, h = [], hashlib.sha256()
    for p in sorted(paths):
        data = Path(p).read_bytes()
        h.update(Path(p).name.encode() + b"\0" + data)
        for i, line in enumerate(data.decode("utf-8").splitlines(), 1):
            if line.strip():
                r = json.loads(line)
                r["_where"] = f"{Path(p).name}:{i}"
                rows.append(r)
    return rows, h.hexdigest()


def heldout_rows(corpus: Path = CORPUS) -> list[dict]:
    """The messages of the held-out families (never trained on), in corpus order."""
    rows, _ = load_corpus(sorted(Path(corpus).glob("*.jsonl")))
    return [r for r in rows if heldout_family(r["family"])]


# ---- what a label rests on, and renderings that keep it ---------------------------------------
def support(a, label: str) -> list:
    """The rule hits a message's label rests on (scam/abusive: rules of that label; suspicious:
    any risky rule; legitimate: none needed)."""
    if label == "legitimate":
        return []
    want = {"suspicious", "abusive", "scam"} if label == "suspicious" else {label}
    return [h for h in a.hits if h.rule.label in want]


def keep_spans(a, label: str) -> list[tuple[int, int]]:
    """Raw spans of the words a rendering must keep: the supporting rule hits; for a genuine
    message its lender names and amounts."""
    spans = [(h.start, h.end) for h in sorted(support(a, label), key=lambda h: -h.rule.weight) if h.start is not None]
    if label == "legitimate":
        spans = [sp for p in ("lender.named", "amount.any", "date.any") for sp in a.facts.get(p, ())]
    return [a.norm.to_raw(s, e) for s, e in spans]


def _risky(a) -> set[str]:
    return {h.rule.label for h in a.hits if h.rule.label in ("scam", "abusive")} | ({"hard"} if any(h.rule.hard for h in a.hits) else set())


def render_ok(orig, new, label: str) -> bool:
    """A rendering keeps its label: it still has what the label rests on (when the original had
    it), and a genuine message gains no scam or abuse signal."""
    if label == "legitimate":
        return not (_risky(new) - _risky(orig))
    return bool(support(new, label)) or not support(orig, label)


def shifted_row(pl, r: dict, a=None) -> tuple[dict, object]:
    """The row style-shifted (core sentence, unsigned, masked, no sender) as far as its label
    allows: a sender or sentence the label rests on is kept. Returns (row, its analysis)."""
    from . import restyle

    a = a if a is not None else pl.analyze(r["text"], sender=r.get("sender"))
    keep = keep_spans(a, r["label"])
    for text, sender in ((restyle.shifted(r["text"], keep), None), (restyle.shifted(r["text"], keep), r.get("sender")),
                         (restyle.masked(restyle.unsigned(r["text"]) or r["text"]), None),
                         (restyle.masked(restyle.unsigned(r["text"]) or r["text"]), r.get("sender"))):
        b = pl.analyze(text, sender=sender)
        if render_ok(a, b, r["label"]):
            return dict(r, text=text, sender=sender), b
    return r, a


def augment(rows: list[dict], analyses: list, pl) -> tuple[list[dict], list]:
    """Renderings of each row (same family, label, writer), analysed, validated."""
    from . import restyle

    out_rows, out_an = [], []
    for r, a in zip(rows, analyses):
        for text, sender, how in restyle.renderings(r["text"], r.get("sender"), keep_spans(a, r["label"])):
            b = pl.analyze(text, sender=sender, received_at=r.get("received_at"))
            if render_ok(a, b, r["label"]):
                out_rows.append({**r, "text": text, "sender": sender, "_render": how})
                out_an.append(b)
    return out_rows, out_an


# ---- scores -----------------------------------------------------------------------------------
def decide_all(analyses, P, labels) -> list[str]:
    from . import decision

    return [decision.decide(a.hits, dict(zip(labels, map(float, p)))).label for a, p in zip(analyses, P)]


def topic_recall(rows: list[dict], pred: list[str]) -> dict:
    """Per fraud family: share called scam; ordinary messages: share called legitimate."""
    by: dict[str, list[bool]] = defaultdict(list)
    for r, p in zip(rows, pred):
        t = r.get("topic")
        if t in TOPICS_REPORTED:
            by[t].append(p == r["label"])
    return {t: {"n": len(v), "recall": round(sum(v) / len(v), 4)} for t, v in sorted(by.items())}


def candidates(quick: bool):
    from sklearn.linear_model import LogisticRegression

    return [("logreg", {"C": c}, LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=SEED))
            for c in ((4.0,) if quick else (1.0, 4.0, 16.0))]


def _parse(argv):
    ap = argparse.ArgumentParser(prog="scripts/train.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--out", type=Path, default=REPO / "models")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N families' messages (tests)")
    ap.add_argument("--quick", action="store_true", help="one candidate, 3 family-grouped folds instead of leave-one-writer-out (tests)")
    ap.add_argument("--no-augment", action="store_true", help="train on the corpus as written, without style renderings")
    ap.add_argument("--text-weight", type=float, default=0.6, help="weight of the n-gram block against the structured block")
    return ap.parse_args(argv)


def _limit(rows: list[dict], limit: int) -> list[dict]:
    """The first families of each label, in turn, until ``limit`` families."""
    from .metrics import LABELS

    by_label: dict[str, list[str]] = {}
    for r in rows:
        fl = by_label.setdefault(r["label"], [])
        if r["family"] not in fl:
            fl.append(r["family"])
    keep: set[str] = set()
    k = 0
    while len(keep) < limit and any(k < len(v) for v in by_label.values()):
        for L in LABELS:
            if k < len(by_label.get(L, ())) and len(keep) < limit:
                keep.add(by_label[L][k])
        k += 1
    return [r for r in rows if r["family"] in keep]


def _folds(rows_tr: list[dict], quick: bool):
    """(name, train mask over originals, test mask over originals): writers left out, or
    family-grouped folds for a quick run (or a corpus of one writer)."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    writers = np.array([r.get("writer") or "?" for r in rows_tr])
    if quick or len(set(writers)) < 3:
        fam = np.array([r["family"] for r in rows_tr])
        for i, (a, b) in enumerate(GroupKFold(n_splits=3).split(rows_tr, groups=fam)):
            m = np.zeros(len(rows_tr), bool)
            m[b] = True
            yield f"fold{i}", ~m, m
        return
    for w in sorted(set(writers)):
        yield w, writers != w, writers == w


def main(argv=None) -> int:
    args = _parse(argv)
    from . import model

    t0 = time.time()
    files = sorted(args.corpus.glob("*.jsonl"))
    if not files:
        print(f"no corpus files in {args.corpus}", file=sys.stderr)
        return 2
    d = _prepare(args, files)
    print(f"{len(d.rows)} messages, {len({r['family'] for r in d.rows})} families; train {len(d.tr)} (+{len(d.aug_rows)} renderings) / "
          f"held-out {len(d.te)} ({len({r['family'] for r in d.rows_te})} families); analysed in {time.time() - t0:.1f}s", file=sys.stderr)
    results = _select(args, d)
    chosen = max(results, key=_rank)
    print(f"chosen: {chosen[0]} {chosen[1]}", file=sys.stderr)
    final = _fit_final(args, d, chosen[2])
    labels = [str(c) for c in final.classes_]
    held = _heldout(d, final, labels)
    card = _card(args, d, files, chosen, results, held, labels)
    path = model.save(final, card, args.out)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB) and its card in {time.time() - t0:.0f}s", file=sys.stderr)
    return 0


class _Data:
    """The corpus, analysed and split: held-out families aside, training originals and their
    style renderings (``src`` gives the original each row of ``all_rows`` comes from)."""


def _prepare(args, files) -> _Data:
    import numpy as np

    from . import analysis, metrics, timeline

    d = _Data()
    rows, d.data_sha = load_corpus(files)
    rows = [r for r in rows if r.get("label") in metrics.LABELS and isinstance(r.get("text"), str) and r["text"].strip()]
    if args.limit:
        rows = _limit(rows, args.limit)
    d.rows = rows
    d.pl = pl = analysis.default()
    bursts = timeline.burst_flags((r.get("sender"), r.get("received_at")) for r in rows)
    analyses = [pl.analyze(r["text"], sender=r.get("sender"), received_at=r.get("received_at"), burst=b) for r, b in zip(rows, bursts)]
    test = np.array([heldout_family(r["family"]) for r in rows])
    d.tr = [i for i in range(len(rows)) if not test[i]]
    d.te = [i for i in range(len(rows)) if test[i]]
    d.rows_tr, d.an_tr = [rows[i] for i in d.tr], [analyses[i] for i in d.tr]
    d.rows_te, d.an_te = [rows[i] for i in d.te], [analyses[i] for i in d.te]
    d.aug_rows, d.aug_an = ([], []) if args.no_augment else augment(d.rows_tr, d.an_tr, pl)
    # originals and their renderings, with the index of the original each comes from
    key = {(r["family"], r.get("id")): i for i, r in enumerate(d.rows_tr)}
    d.all_rows = d.rows_tr + d.aug_rows
    d.all_an = d.an_tr + d.aug_an
    d.src = np.array(list(range(len(d.rows_tr))) + [key[(r["family"], r.get("id"))] for r in d.aug_rows])
    d.y_all = np.array([r["label"] for r in d.all_rows])
    d.y_tr = np.array([r["label"] for r in d.rows_tr])
    d.rule_ids = tuple(r.id for r in pl.rules.rules)
    return d


def _select(args, d: _Data) -> list:
    """Every candidate scored by leaving one writer out: (name, params, estimator, score, per fold)."""
    import numpy as np
    from sklearn.base import clone

    from . import features, metrics

    fold_feats = []
    for name, train_m, test_m in _folds(d.rows_tr, args.quick):
        fit_idx = np.where(train_m[d.src])[0]           # originals of the training writers, and their renderings
        test_idx = np.where(test_m)[0]                  # originals of the left-out writer only
        fu = features.build_features(d.rule_ids, args.text_weight)
        A = fu.fit_transform([d.all_an[i] for i in fit_idx])
        B = fu.transform([d.an_tr[i] for i in test_idx])
        fold_feats.append((name, fit_idx, test_idx, A, B))
    results = []
    for cname, params, est in candidates(args.quick):
        pred = np.empty(len(d.rows_tr), dtype=object)
        per_fold = {}
        for name, fit_idx, test_idx, A, B in fold_feats:
            m = clone(est).fit(A, d.y_all[fit_idx])
            P = m.predict_proba(B)
            cls = [str(c) for c in m.classes_]
            pred[test_idx] = decide_all([d.an_tr[i] for i in test_idx], P, cls)
            per_fold[name] = metrics.score(list(d.y_tr[test_idx]), list(pred[test_idx]))["macro_f1"]
        s = metrics.score(list(d.y_tr), list(pred))
        worst = min(per_fold, key=per_fold.get)
        results.append((cname, params, est, s, per_fold))
        print(f"  CV {cname} {params}: macro-F1 {s['macro_f1']:.3f}  worst {worst} {per_fold[worst]:.3f}  "
              f"legit→scam/abusive {s['legit_called_scam_or_abusive']}  scam→legit {s['scam_called_legitimate']}", file=sys.stderr)
    return results


def _rank(r) -> float:
    s = r[3]
    return round(s["macro_f1"], 3) + 0.5 * min(r[4].values()) - 2 * (s["legit_called_scam_or_abusive"] or 0) - 3 * (s["scam_called_legitimate"] or 0)


def _fit_final(args, d: _Data, est):
    import numpy as np
    from sklearn.base import clone
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import Pipeline

    from . import features

    groups = np.array([r["family"] for r in d.all_rows])
    calibrated = CalibratedClassifierCV(clone(est), method="sigmoid",
                                        cv=list(GroupKFold(n_splits=3 if args.quick else 5).split(d.all_an, d.y_all, groups)))
    final = Pipeline([("features", features.build_features(d.rule_ids, args.text_weight)), ("clf", calibrated)])
    final.fit(d.all_an, d.y_all)
    return final


def _heldout(d: _Data, final, labels) -> dict:
    """Scores on the held-out families: as pasted (text and sender), with times, style-shifted."""
    from . import metrics

    held: dict = {}
    if not d.rows_te:
        return held
    plain = [d.pl.analyze(r["text"], sender=r.get("sender")) for r in d.rows_te]
    shifted = [shifted_row(d.pl, r, a)[1] for r, a in zip(d.rows_te, plain)]
    gold = [r["label"] for r in d.rows_te]
    for name, an in (("text_and_sender_only", plain), ("with_time", d.an_te), ("style_shifted", shifted)):
        pred = decide_all(an, final.predict_proba(an), labels)
        held[name] = metrics.score(gold, pred)
        held[name]["topics"] = topic_recall(d.rows_te, pred)
        print(f"held-out, {name}:\n" + metrics.format_report(held[name]), file=sys.stderr)
    held["gap_plain_vs_shifted"] = round(held["text_and_sender_only"]["macro_f1"] - held["style_shifted"]["macro_f1"], 4)
    print(f"held-out topics: {json.dumps(held['text_and_sender_only']['topics'])}", file=sys.stderr)
    return held


def _card(args, d: _Data, files, chosen, results, held, labels) -> dict:
    import jieba
    import joblib
    import numpy as np
    import scipy
    import sklearn

    from . import decision, model
    from .resources import registry_dir, rules_dir

    cname, params, _, _, cv_per_fold = chosen
    rows, rows_te, rule_ids, files = d.rows, d.rows_te, d.rule_ids, files
    card = {
        "name": "verifier collection-SMS classifier",
        "labels": labels,
        "model": {"name": cname, "params": params, "calibration": "sigmoid, GroupKFold by family",
                  "text_weight": args.text_weight, "augmented": not args.no_augment},
        "features": ["rule hits (one per rule id) and each label's summed rule priors",
                     "entity and registry predicates (lender named/licensed, signature known/unknown, url/phone official/other/unknown/look-alike, "
                     "cards (masked too), QQ/WeChat, amounts, dates, deadlines, about a debt)",
                     "sender class when a sender is given, lender kind",
                     "jieba word 1-2-gram TF-IDF of the masked normalised text",
                     "nothing about length, signature or whether a sender was given"],
        "decision": {**decision.THRESHOLDS, "rules": decision.RULES_OF_DECISION},
        "seed": SEED,
        "training_data": {"files": [p.name for p in files], "sha256": d.data_sha, "messages": len(rows),
                          "families": len({r["family"] for r in rows}), "train_messages": len(d.tr),
                          "renderings": len(d.aug_rows), "heldout_messages": len(d.te),
                          "heldout_families": len({r["family"] for r in rows_te}),
                          "heldout_rule": f"sha1(family) % {HELDOUT_BUCKETS} == 0", "limit": args.limit,
                          "writers": sorted({r.get("writer") or "?" for r in rows})},
        "rules": {"count": len(rule_ids), "sha256": model.sha256_dir(rules_dir(), "*.toml")},
        "registry": {"entries": len(d.pl.registry.lenders), "sha256": model.sha256_dir(registry_dir(), "*.toml")},
        "cv": {"scheme": "family-grouped 3-fold" if args.quick or len(cv_per_fold) < 3 or "fold0" in cv_per_fold else "leave one writer out",
               "candidates": [{"model": n, "params": p, "macro_f1": s["macro_f1"], "worst_fold": min(pf.values()),
                               "legit_called_scam_or_abusive": s["legit_called_scam_or_abusive"],
                               "scam_called_legitimate": s["scam_called_legitimate"]} for n, p, _, s, pf in results],
               "chosen_per_fold": cv_per_fold},
        "heldout": held,
        "versions": {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "numpy": np.__version__,
                     "scipy": scipy.__version__, "joblib": joblib.__version__, "jieba": getattr(jieba, "__version__", "?")},
    }
    return card

