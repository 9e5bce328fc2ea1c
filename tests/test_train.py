"""Retraining is one deterministic command: two runs on the same small slice give the same model."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent


def _train(out: Path):
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "train.py"), "--out", str(out), "--limit", "60", "--quick"],
                       capture_output=True, text=True, timeout=900, cwd=REPO)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads((out / "verifier.json").read_text(encoding="utf-8"))


def test_training_is_deterministic(tmp_path):
    a, b = _train(tmp_path / "a"), _train(tmp_path / "b")
    assert a["fast_sha256"] == b["fast_sha256"]  # the fitted numbers, byte for byte
    assert a["cv"] == b["cv"] and a["heldout"] == b["heldout"]
    assert a["training_data"]["limit"] == 60 and a["labels"]
    from verifier import model

    ma, mb = model.load(tmp_path / "a"), model.load(tmp_path / "b")
    assert np.array_equal(ma.fast.coef_t, mb.fast.coef_t)
