"""The training corpus: schema, label balance, hard cases, no near-identical text across
families, the fraud landscape and ordinary messages, and a style that says nothing about the label."""
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest


CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"
LABELS = {"legitimate", "suspicious", "abusive", "scam"}
KINDS = {None, "legit_hard", "abusive_official_channel", "scam_polished", "suspicious_vague"}
KEYS = {"id", "text", "label", "family", "topic", "writer", "lender", "sender", "received_at", "kind", "source"}
FRAUD = ("fake_authority", "loan_fee", "fake_service", "impersonation", "fake_bank", "prize_refund")
TOPIC_LABELS = {"debt": LABELS, "ordinary": {"legitimate"}, "nondebt_risky": {"suspicious"}, **{t: {"scam"} for t in FRAUD}}


def rows():
    out = []
    for p in sorted(CORPUS.glob("*.jsonl")):
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                out.append((f"{p.name}:{i}", json.loads(line)))
    return out


ROWS = rows()


def test_schema():
    ids = set()
    for where, r in ROWS:
        assert set(r) == KEYS, f"{where}: keys {sorted(r)}"
        assert r["label"] in LABELS, where
        assert r["kind"] in KINDS, where
        assert r["source"] == "written", where
        assert isinstance(r["text"], str) and r["text"].strip(), where
        assert isinstance(r["family"], str) and r["family"], where
        assert r["id"] not in ids, f"{where}: duplicate id {r['id']}"
        ids.add(r["id"])
        assert r["label"] in TOPIC_LABELS.get(r["topic"], ()), f"{where}: topic {r['topic']!r} with label {r['label']!r}"
        assert isinstance(r["writer"], str) and r["writer"], where


def test_size_and_balance():
    n = len(ROWS)
    assert n >= 3000
    fams = {r["family"] for _, r in ROWS}
    assert len(fams) >= 400
    c = Counter(r["label"] for _, r in ROWS)
    for L in LABELS:
        assert c[L] / n >= 0.18, f"{L}: {c[L]} of {n}"
    kinds = Counter(r["kind"] for _, r in ROWS)
    for k in KINDS - {None}:
        assert kinds[k] >= 100, f"hard case {k}: {kinds[k]}"
    lenders = {r["lender"] for _, r in ROWS if r["lender"]}
    assert len(lenders) >= 60


def test_one_label_per_family():
    labels = defaultdict(set)
    for _, r in ROWS:
        labels[r["family"]].add(r["label"])
    mixed = {f: l for f, l in labels.items() if len(l) > 1}
    assert not mixed
    topics = defaultdict(set)
    for _, r in ROWS:
        topics[r["family"]].add((r["topic"], r["writer"]))
    assert not {f: t for f, t in topics.items() if len(t) > 1}, "a family has one topic and one writer"


def test_fraud_landscape_and_ordinary_messages():
    """Every fraud family around a debt: >= 15 corpus families by >= 3 writers; ordinary,
    non-debt messages: >= 500 in >= 80 families; >= 5 writers in all."""
    fams, writers = defaultdict(set), defaultdict(set)
    msgs = Counter()
    for _, r in ROWS:
        fams[r["topic"]].add(r["family"])
        writers[r["topic"]].add(r["writer"])
        msgs[r["topic"]] += 1
    for t in FRAUD:
        assert len(fams[t]) >= 15 and len(writers[t]) >= 3, (t, len(fams[t]), len(writers[t]))
    assert msgs["ordinary"] >= 500 and len(fams["ordinary"]) >= 80, (msgs["ordinary"], len(fams["ordinary"]))
    assert len({r["writer"] for _, r in ROWS}) >= 5


# ---- style says nothing about the label ------------------------------------------------------
SIG = re.compile(r"【[^】]{2,15}】")
MASK = re.compile(r"XX|xx|\*\*|××|ＸＸ|某|尾号x")
TRAITS = {  # name: (test, least share each group needs (or most, for "signed"), largest gap between labels)
    "short (<= 40 characters)": (lambda r: len(r["text"]) <= 40, 0.25, 0.10),
    "signed (【】)": (lambda r: bool(SIG.search(r["text"])), 0.60, 0.25),
    "masked": (lambda r: bool(MASK.search(r["text"])), 0.20, 0.10),
    "sender given": (lambda r: bool(r["sender"]), 0.50, 0.10),
}


def _share(rows, test):
    return sum(map(test, rows)) / len(rows)


@pytest.mark.parametrize("trait", TRAITS)
def test_style_is_the_same_for_every_label(trait):
    test, need, gap = TRAITS[trait]
    groups = defaultdict(list)
    for _, r in ROWS:
        groups[r["label"]].append(r)
    share = {L: _share(rs, test) for L, rs in groups.items()}
    assert max(share.values()) - min(share.values()) <= gap, f"{trait}: {share}"
    for t in FRAUD:
        groups["topic " + t] = [r for _, r in ROWS if r["topic"] == t]
    for g, rs in groups.items():
        v = _share(rs, test)
        ok = v <= need if trait in ("signed (【】)", "sender given") else v >= need
        assert ok, f"{trait}: {g} {v:.0%} (quota {need:.0%})"


def test_length_signature_and_sender_alone_do_not_predict_the_label():
    """A classifier that sees only length, signature and sender stays near chance."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import GroupKFold, cross_val_predict
    from sklearn.tree import DecisionTreeClassifier

    X = np.array([[np.log1p(len(r["text"])), len(r["text"]) <= 40, bool(SIG.search(r["text"])), bool(r["sender"])] for _, r in ROWS], float)
    y = np.array([r["label"] for _, r in ROWS])
    g = np.array([r["family"] for _, r in ROWS])
    for clf in (LogisticRegression(max_iter=1000, class_weight="balanced"),
                DecisionTreeClassifier(max_depth=4, class_weight="balanced", random_state=0)):
        pred = cross_val_predict(clf, X, y, groups=g, cv=GroupKFold(n_splits=5))
        f1 = f1_score(y, pred, average="macro")
        assert f1 <= 0.40, f"{type(clf).__name__} predicts the label from style alone: macro-F1 {f1:.3f}"


def _shingles(t, k=5):
    s = "".join(c for c in t if c.isalnum())
    return {s[i:i + k] for i in range(max(len(s) - k + 1, 1))}


def test_no_near_identical_text_across_families():
    """Two families must not share a near-identical message (that would leak across the split)."""
    by_sh = defaultdict(set)
    sh = []
    for idx, (_, r) in enumerate(ROWS):
        s = _shingles(r["text"])
        sh.append(s)
        for x in s:
            by_sh[x].add(idx)
    bad = []
    for i, (where, r) in enumerate(ROWS):
        if len(sh[i]) < 8:
            continue
        cand = Counter(j for x in sh[i] for j in by_sh[x] if j > i and len(by_sh[x]) < 200)
        for j, shared in cand.items():
            if ROWS[j][1]["family"] == r["family"]:
                continue
            jac = shared / len(sh[i] | sh[j])
            if jac >= 0.8:
                bad.append(f"{where} ~ {ROWS[j][0]} ({jac:.2f})")
    assert not bad, "near-identical texts in different families:\n" + "\n".join(bad[:20])
