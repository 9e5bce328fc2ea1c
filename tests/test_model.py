"""The shipped model: loads with its card; missing, truncated or foreign-version files give a
clear error naming the retrain command; the card is current."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from verifier import model
from verifier.resources import models_dir

MD = models_dir()


def test_shipped_model_loads_and_card_is_complete():
    m = model.load(MD)
    card = m.card
    assert list(m.labels) == card["labels"]
    assert set(card["labels"]) == {"legitimate", "suspicious", "abusive", "scam"}
    for k in ("versions", "training_data", "heldout", "cv", "features", "seed", "model_sha256"):
        assert k in card, k
    assert (MD / model.MODEL_FILE).stat().st_size < 10_000_000


def test_card_matches_the_committed_corpus():
    """The shipped model was trained from the corpus as committed (retrain after editing data/)."""
    from verifier.training import load_corpus

    files = sorted((Path(__file__).resolve().parent.parent / "data" / "corpus").glob("*.jsonl"))
    _, sha = load_corpus(files)
    card = model.load(MD).card
    assert card["training_data"]["sha256"] == sha

    from verifier.resources import registry_dir, rules_dir

    assert card["rules"]["sha256"] == model.sha256_dir(rules_dir(), "*.toml"), "rules changed since training: retrain"
    assert card["registry"]["sha256"] == model.sha256_dir(registry_dir(), "*.toml"), "registry changed since training: retrain"


def _copy(tmp_path):
    d = tmp_path / "m"
    shutil.copytree(MD, d)
    return d


def test_missing_model(tmp_path):
    with pytest.raises(model.ModelError, match="missing.*train.py"):
        model.load(tmp_path)


def test_truncated_model(tmp_path):
    d = _copy(tmp_path)
    p = d / model.MODEL_FILE
    p.write_bytes(p.read_bytes()[:1000])
    with pytest.raises(model.ModelError, match="train.py"):
        model.load(d)


def _edit_card(tmp_path, change):
    d = _copy(tmp_path)
    card = json.loads((d / model.CARD_FILE).read_text())
    change(card)
    (d / model.CARD_FILE).write_text(json.dumps(card))
    return d


def test_card_without_checksum(tmp_path):
    d = _edit_card(tmp_path, lambda card: card.pop("model_sha256"))
    with pytest.raises(model.ModelError, match="no checksum.*train.py"):
        model.load(d)


def test_corrupt_pipeline_file_is_a_clear_error(tmp_path):
    d = _copy(tmp_path)
    (d / model.MODEL_FILE).write_bytes(b"not a pickle at all")
    with pytest.raises(model.ModelError, match="train.py"):
        model.load(d)
    with pytest.raises(model.ModelError, match="cannot be loaded.*train.py"):
        model._load_pipeline(d / model.MODEL_FILE)


def test_truncated_fast_export(tmp_path):
    d = _copy(tmp_path)
    p = d / model.FAST_FILE
    p.write_bytes(p.read_bytes()[:5000])
    with pytest.raises(model.ModelError, match="does not match its card.*train.py"):
        model.load(d)


def test_check_path_needs_no_sklearn(tmp_path):
    """Checking a message uses the plain-array export: scikit-learn is never imported."""
    code = ("import sys; from verifier import check; v = check('【招商银行】您尾号1234的信用卡本期账单1,570.44元'); "
            "print(v.label, 'sklearn' in sys.modules, 'joblib' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    label, sk, jl = r.stdout.split()
    assert (sk, jl) == ("False", "False")


def test_other_sklearn_version(tmp_path):
    d = _edit_card(tmp_path, lambda card: card["versions"].update({"scikit-learn": "1.4.2"}))
    with pytest.raises(model.ModelError, match="scikit-learn 1.4.2.*train.py"):
        model.load(d)


def test_cli_reports_model_problem_without_traceback(tmp_path):
    env = {"VERIFIER_MODELS_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "verifier", "check", "您的借款已逾期，请尽快还款"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 3
    assert "Traceback" not in r.stderr and "train.py" in r.stderr


def test_fast_path_agrees_with_sklearn():
    """The fast path computes exactly the Pipeline's predict_proba."""
    import numpy as np

    from verifier import analysis

    m = model.load(MD)
    pl = analysis.default()
    texts = []
    for p in sorted((Path(__file__).resolve().parent.parent / "data" / "corpus").glob("*.jsonl")):
        lines = p.read_text(encoding="utf-8").splitlines()
        texts += [json.loads(x) for x in lines[::25]]
    analyses = [pl.analyze(r["text"], sender=r.get("sender"), received_at=r.get("received_at")) for r in texts]
    fast, _ = m.predict(analyses)
    assert m.fast is not None, "the shipped model should use the fast path"
    ref = m.estimator.predict_proba(analyses)
    labels = [str(c) for c in m.estimator.classes_]
    got = np.array([[p[lab] for lab in labels] for p in fast])
    assert np.abs(got - ref).max() < 1e-6


def test_an_installed_copy_ignores_folders_next_to_it(tmp_path, monkeypatch):
    """A "models" or "data/registry" folder beside the package (an empty or crafted one in
    site-packages) is never used; only a source checkout uses its own tree."""
    from verifier import resources

    (tmp_path / "models").mkdir()
    (tmp_path / "data" / "registry").mkdir(parents=True)
    monkeypatch.setattr(resources, "_REPO", tmp_path)
    assert resources.models_dir() != tmp_path / "models"
    assert resources.registry_dir() != tmp_path / "data" / "registry"


def test_card_records_rules_and_registry_checked_at_load(tmp_path):
    d = _edit_card(tmp_path, lambda card: card["rules"].update({"sha256": "0" * 64}))
    with pytest.raises(model.ModelError, match="other rules.*train.py"):
        model.load(d)
    d2 = _edit_card(tmp_path / "b", lambda card: card["registry"].update({"sha256": "0" * 64}))
    with pytest.raises(model.ModelError, match="other registry"):
        model.load(d2)


def test_no_pickle_is_loaded_to_check(tmp_path):
    d = _edit_card(tmp_path, lambda card: card.pop("fast_sha256"))
    code = ("import sys; from verifier import model\n"
            "try:\n    model.load(sys.argv[1])\nexcept model.ModelError as e:\n    print('refused', 'joblib' in sys.modules)\n")
    r = subprocess.run([sys.executable, "-c", code, str(d)], capture_output=True, text=True, timeout=120)
    assert r.stdout.split() == ["refused", "False"], r.stderr


def test_model_and_pipeline_pickle_with_the_standard_library():
    """A process pool or a distributed engine's workers can receive them (no lambdas inside)."""
    import pickle

    from verifier import analysis

    m, pl = model.default(), analysis.default()
    m2, pl2 = pickle.loads(pickle.dumps(m)), pickle.loads(pickle.dumps(pl))
    texts = ["请把钱转到6222021234567890123", "【招商银行】您尾号1234的信用卡本期账单1,570.44元"]
    assert m.predict_proba([pl.analyze(t) for t in texts]) == m2.predict_proba([pl2.analyze(t) for t in texts])


def test_a_batch_gives_each_message_what_it_gets_alone():
    """Batching the model's arithmetic changes nothing: one message alone, or among 300 others,
    gets the same probabilities and the same feature row."""
    import numpy as np

    from verifier import analysis

    m = model.default()
    pl = analysis.default()
    rows = []
    for p in sorted((Path(__file__).resolve().parent.parent / "data" / "corpus").glob("*.jsonl")):
        rows += [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines()[::40]]
    analyses = [pl.analyze(r["text"], sender=r.get("sender")) for r in rows[:300]]
    together, X = m.predict(analyses)
    for i in range(0, len(analyses), 37):
        alone, Xi = m.predict([analyses[i]])
        assert alone[0] == together[i]
        assert np.array_equal(Xi[0][0], X[i][0]) and np.array_equal(Xi[0][1], X[i][1])


def test_block_segmentation_is_jiebas_own():
    """The model's word tokens cut each block the way jieba.lcut(block, HMM=False) does."""
    from verifier import featurize

    tok = featurize._jieba()
    blocks = set()
    for p in sorted((Path(__file__).resolve().parent.parent / "data" / "corpus").glob("*.jsonl")):
        for line in p.read_text(encoding="utf-8").splitlines()[::3]:
            text = json.loads(line)["text"].lower()
            blocks.update(b for i, b in enumerate(featurize._HAN_BLOCK.split(text)) if i % 2)
    assert len(blocks) > 1000
    assert all(list(featurize._block_cutter()(b)) == tok.lcut(b, HMM=False) for b in blocks)
