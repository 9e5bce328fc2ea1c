"""Load and save the classifier: ``models/verifier.joblib`` plus its card ``models/verifier.json``.

Loading checks the card before unpickling: a model written by a scikit-learn outside the pinned
range, a missing or truncated file, or a file whose hash does not match its card gives a
:class:`ModelError` that says how to retrain.
"""
from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODEL_FILE = "verifier.joblib"
CARD_FILE = "verifier.json"
RETRAIN = "python scripts/train.py   (from a checkout of the verifier repository)"
SUPPORTED_SKLEARN = ("1.9",)  # major.minor versions whose pickles this release loads


class ModelError(RuntimeError):
    """The model cannot be used; the message says why and how to retrain."""


@dataclass(frozen=True)
class Model:
    estimator: object          # sklearn Pipeline: features -> calibrated classifier
    labels: tuple[str, ...]    # column order of predict_proba
    card: dict
    path: Path

    def predict_proba(self, analyses) -> list[dict[str, float]]:
        return self.predict(analyses)[0]

    def predict(self, analyses):
        """(probabilities per message, feature rows) — a row is (column indices, values); the
        rows let :meth:`top_terms` say which words pushed the model, without recomputing."""
        analyses = list(analyses)
        fast = _fast(self)
        if fast is not None:
            rows = [fast.features(a) for a in analyses]
            P = [fast.proba(i, v) for i, v in rows]
            order = [fast.classes.index(lab) for lab in self.labels]
            return [{lab: float(p[k]) for lab, k in zip(self.labels, order)} for p in P], rows
        if not analyses:
            return [], []
        X = self.estimator[:-1].transform(analyses)
        P = self.estimator[-1].predict_proba(X)
        X = X.tocsr()
        rows = [(X.indices[X.indptr[r]:X.indptr[r + 1]], X.data[X.indptr[r]:X.indptr[r + 1]]) for r in range(X.shape[0])]
        return [{lab: float(p[i]) for i, lab in enumerate(self.labels)} for p in P], rows

    def top_terms(self, rows, row: int, label: str, k: int = 6) -> list[tuple[str, float]]:
        """The text n-grams of message ``row`` that pushed the model most toward ``label``."""
        W, names = _term_weights(self)
        if W is None or label not in self.labels:
            return []
        idx, vals = rows[row]
        w = W[self.labels.index(label)]
        out = []
        for j, v in zip(idx, vals):
            name = names[j]
            if not name.startswith(("chars__", "words__")):
                continue
            c = float(v * w[j])
            if c > 0:
                out.append((name, c))
        out.sort(key=lambda t: -t[1])
        return out[:k]


_FAST: dict[int, object] = {}


def _fast(m: "Model"):
    key = id(m.estimator)
    if key not in _FAST:
        from .fastpath import FastLinear, Unsupported

        try:
            _FAST[key] = FastLinear(m.estimator)
        except (Unsupported, AttributeError, TypeError):
            _FAST[key] = None
    return _FAST[key]


_TERM_CACHE: dict[int, tuple] = {}


def _term_weights(m: "Model"):
    """Per-label weights of the features relative to the other labels (linear models: the
    calibrated folds' coefficients averaged; tree models: feature importances)."""
    key = id(m.estimator)
    if key in _TERM_CACHE:
        return _TERM_CACHE[key]
    import numpy as np

    clf = m.estimator[-1]
    inner = [c.estimator for c in getattr(clf, "calibrated_classifiers_", [])] or [clf]
    W = None
    if all(hasattr(e, "coef_") for e in inner):
        C = np.mean([e.coef_ for e in inner], axis=0)
        W = C - C.mean(axis=0, keepdims=True)
    elif all(hasattr(e, "feature_importances_") for e in inner):
        imp = np.mean([e.feature_importances_ for e in inner], axis=0)
        W = np.tile(imp, (len(m.labels), 1))
    try:
        names = [str(n) for n in m.estimator[:-1].get_feature_names_out()]
    except Exception:  # pragma: no cover - an estimator without feature names
        W, names = None, []
    _TERM_CACHE[key] = (W, names)
    return W, names


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _minor(v: str) -> str:
    return ".".join(v.split(".")[:2])


def load(directory: Path | None = None) -> Model:
    from .resources import models_dir

    d = Path(directory) if directory else models_dir()
    mpath, cpath = d / MODEL_FILE, d / CARD_FILE
    if not mpath.is_file():
        raise ModelError(f"the model file {mpath} is missing. Retrain it with: {RETRAIN}")
    if not cpath.is_file():
        raise ModelError(f"the model card {cpath} is missing. Retrain with: {RETRAIN}")
    try:
        card = json.loads(cpath.read_text(encoding="utf-8"))
        if not isinstance(card, dict):
            raise ValueError("not an object")
    except (OSError, ValueError) as e:
        raise ModelError(f"the model card {cpath} is unreadable ({e}). Retrain with: {RETRAIN}") from None
    import sklearn

    built = str(card.get("versions", {}).get("scikit-learn", "?"))
    if _minor(built) != _minor(sklearn.__version__) or _minor(sklearn.__version__) not in SUPPORTED_SKLEARN:
        raise ModelError(
            f"the model was built with scikit-learn {built}, but scikit-learn {sklearn.__version__} is installed "
            f"(supported: {', '.join(SUPPORTED_SKLEARN)}.x). Reinstall verifier (pip install .) or retrain with: {RETRAIN}")
    want = card.get("model_sha256")
    if want and sha256_file(mpath) != want:
        raise ModelError(f"the model file {mpath} does not match its card (corrupt or replaced). Retrain with: {RETRAIN}")
    import joblib
    from sklearn.exceptions import InconsistentVersionWarning

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", InconsistentVersionWarning)
            est = joblib.load(mpath)
    except InconsistentVersionWarning as w:
        raise ModelError(f"the model file was written by another scikit-learn version ({w}). Retrain with: {RETRAIN}") from None
    except Exception as e:  # truncated pickle, wrong file, missing class …
        raise ModelError(f"the model file {mpath} cannot be loaded ({type(e).__name__}: {e}). Retrain with: {RETRAIN}") from None
    labels = tuple(card.get("labels") or ())
    est_labels = tuple(str(c) for c in getattr(est, "classes_", ()))
    if not labels or labels != est_labels:
        raise ModelError(f"the model's label order {est_labels} does not match its card {labels}. Retrain with: {RETRAIN}")
    return Model(est, labels, card, mpath)


def save(estimator, card: dict, directory: Path) -> Path:
    import joblib

    directory.mkdir(parents=True, exist_ok=True)
    mpath = directory / MODEL_FILE
    joblib.dump(estimator, mpath, compress=("zlib", 3))  # fast to load; xz took ~5x longer
    card = dict(card)
    card["model_sha256"] = sha256_file(mpath)
    card["model_bytes"] = mpath.stat().st_size
    (directory / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return mpath


@lru_cache(maxsize=1)
def default() -> Model:
    return load()
