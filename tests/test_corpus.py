"""The training corpus: schema, label balance, hard cases, and no near-identical text across families."""
import json
from collections import Counter, defaultdict
from pathlib import Path


CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"
LABELS = {"legitimate", "suspicious", "abusive", "scam"}
KINDS = {None, "legit_hard", "abusive_official_channel", "scam_polished", "suspicious_vague"}
KEYS = {"id", "text", "label", "family", "lender", "sender", "received_at", "kind", "source"}


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


def test_size_and_balance():
    n = len(ROWS)
    assert n >= 3000
    fams = {r["family"] for _, r in ROWS}
    assert len(fams) >= 400
    c = Counter(r["label"] for _, r in ROWS)
    for L in LABELS:
        assert c[L] / n >= 0.20, f"{L}: {c[L]} of {n}"
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
