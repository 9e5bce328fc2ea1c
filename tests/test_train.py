"""Retraining is one deterministic command: two runs on the same small slice give the same model."""
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _train(out: Path):
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "train.py"), "--out", str(out), "--limit", "60", "--quick"],
                       capture_output=True, text=True, timeout=900, cwd=REPO)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads((out / "verifier.json").read_text(encoding="utf-8"))


def test_training_is_deterministic(tmp_path):
    a, b = _train(tmp_path / "a"), _train(tmp_path / "b")
    assert a["cv"] == b["cv"] and a["heldout"] == b["heldout"] and a["model"] == b["model"]
    assert a["training_data"]["limit"] == 60 and a["labels"]
    if "fast_sha256" in a:  # a linear model: its exported numbers, byte for byte
        assert a["fast_sha256"] == b["fast_sha256"]
    from verifier import analysis, model

    ma, mb = model.load(tmp_path / "a"), model.load(tmp_path / "b")
    pl = analysis.default()
    texts = ["【招商银行】您尾号1234的信用卡本期账单1,570.44元，到期还款日07月25日。",
             "请把欠款转到个人账户6222021234567890123，否则爆你通讯录。",
             "您有一笔欠款已逾期，请尽快联系处理。"]
    analyses = [pl.analyze(t) for t in texts]
    pa, pb = ma.predict_proba(analyses), mb.predict_proba(analyses)
    for x, y in zip(pa, pb):
        assert all(abs(x[k] - y[k]) < 1e-12 for k in x)
