"""Load and save the classifier: ``models/verifier.joblib`` (the fitted scikit-learn Pipeline),
``models/verifier.fast.npz`` (the same fitted numbers as plain arrays, see linear.py) and the
model card ``models/verifier.json``.

Loading checks the card first: a model written by a scikit-learn outside the supported range, a
missing or truncated file, or a file whose hash does not match its card gives a
:class:`ModelError` that says how to retrain. Checking messages uses the plain-array export, so
it needs neither scikit-learn nor unpickling; the Pipeline is loaded only when asked for.
"""
from __future__ import annotations

import hashlib
import json
import warnings
from functools import lru_cache
from pathlib import Path

MODEL_FILE = "verifier.joblib"
FAST_FILE = "verifier.fast.npz"
CARD_FILE = "verifier.json"
RETRAIN = "python scripts/train.py   (from a checkout of the verifier repository)"
SUPPORTED_SKLEARN = ("1.9",)  # major.minor versions whose pickles this release loads


class ModelError(RuntimeError):
    """The model cannot be used; the message says why and how to retrain."""


class Model:
    """The shipped model as checking uses it: the plain-array export (no pickle). The fitted
    scikit-learn Pipeline is loaded only when asked for (:attr:`estimator`, for tests and tools)."""

    def __init__(self, labels: tuple[str, ...], card: dict, path: Path, fast):
        self.labels = labels      # the card's label order
        self.card = card
        self.path = path          # the joblib file
        self.fast = fast          # FastLinear
        self._estimator = None
        self._order = [fast.classes.index(lab) for lab in labels]
        from .decision import THRESHOLDS

        given = card.get("decision") if isinstance(card.get("decision"), dict) else {}
        # the decision thresholds the model was scored with (its card), the defaults otherwise
        self.thresholds = {k: float(given.get(k, v)) for k, v in THRESHOLDS.items()}

    @property
    def estimator(self):
        """The fitted scikit-learn Pipeline (loaded on first use)."""
        if self._estimator is None:
            self._estimator = _load_pipeline(self.path)
        return self._estimator

    def predict_proba(self, analyses) -> list[dict[str, float]]:
        return self.predict(analyses)[0]

    def predict(self, analyses):
        """(probabilities per message, feature rows) — a row is (column indices, values); the
        rows let :meth:`top_terms` say which words pushed the model, without recomputing."""
        if not analyses:
            return [], []
        P, rows = self.fast.batch(analyses)
        P = P[:, self._order].tolist()
        return [dict(zip(self.labels, p)) for p in P], rows

    def top_terms(self, rows, row: int, label: str, k: int = 6) -> list[tuple[str, float]]:
        """The text n-grams of message ``row`` that pushed the model most toward ``label``."""
        fast = self.fast
        if label not in fast.classes:
            return []
        W, names = fast.term_weights(), fast.names()
        idx, vals = rows[row]
        w = W[fast.classes.index(label)]
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


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_dir(directory: Path, pattern: str) -> str:
    """One hash over the named files of a folder (the card records the rules and registry this way)."""
    h = hashlib.sha256()
    for p in sorted(Path(directory).glob(pattern)):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _minor(v: str) -> str:
    return ".".join(v.split(".")[:2])


def _sklearn_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("scikit-learn")
    except PackageNotFoundError:  # pragma: no cover - scikit-learn is a dependency
        return "not installed"


def _load_pipeline(path: Path):
    import joblib
    from sklearn.exceptions import InconsistentVersionWarning

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", InconsistentVersionWarning)
            return joblib.load(path)
    except InconsistentVersionWarning as w:
        raise ModelError(f"the model file was written by another scikit-learn version ({w}). Retrain with: {RETRAIN}") from None
    except Exception as e:  # truncated pickle, wrong file, missing class …
        raise ModelError(f"the model file {path} cannot be loaded ({type(e).__name__}: {e}). Retrain with: {RETRAIN}") from None


def load(directory: Path | None = None) -> Model:
    from .resources import models_dir

    d = Path(directory) if directory else models_dir()
    mpath, cpath, fpath = d / MODEL_FILE, d / CARD_FILE, d / FAST_FILE
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
    installed = _sklearn_version()
    built = str(card.get("versions", {}).get("scikit-learn", "?"))
    if _minor(built) != _minor(installed) or _minor(installed) not in SUPPORTED_SKLEARN:
        raise ModelError(
            f"the model was built with scikit-learn {built}, but scikit-learn {installed} is installed "
            f"(supported: {', '.join(SUPPORTED_SKLEARN)}.x). Reinstall verifier (pip install .) or retrain with: {RETRAIN}")
    labels = tuple(card.get("labels") or ())
    if sorted(labels) != sorted(("legitimate", "suspicious", "abusive", "scam")):
        raise ModelError(f"the model card {cpath} lists labels {labels}. Retrain with: {RETRAIN}")
    want = card.get("model_sha256")
    if not want:
        raise ModelError(f"the model card {cpath} has no checksum for the model file. Retrain with: {RETRAIN}")
    if sha256_file(mpath) != want:
        raise ModelError(f"the model file {mpath} does not match its card (corrupt or replaced). Retrain with: {RETRAIN}")
    from .resources import registry_dir, rules_dir

    for what, folder in (("rules", rules_dir()), ("registry", registry_dir())):
        want_h = (card.get(what) or {}).get("sha256")
        if want_h != sha256_dir(folder, "*.toml"):
            raise ModelError(f"the model was trained with other {what} than the ones in {folder} (its card records "
                             f"another checksum): retrain after editing {what}. Retrain with: {RETRAIN}")
    if not card.get("fast_sha256"):  # checking never unpickles: only the plain-array export is used
        raise ModelError(f"the model card {cpath} names no plain-array export ({FAST_FILE}); checking never loads a "
                         f"pickle. Retrain with: {RETRAIN}")
    if not fpath.is_file():
        raise ModelError(f"the model file {fpath} is missing. Retrain with: {RETRAIN}")
    if sha256_file(fpath) != card["fast_sha256"]:
        raise ModelError(f"the model file {fpath} does not match its card (corrupt or replaced). Retrain with: {RETRAIN}")
    from .linear import FastLinear, Unsupported

    try:
        fast = FastLinear.load(fpath)
    except (Unsupported, OSError, ValueError, KeyError) as e:
        raise ModelError(f"the model file {fpath} cannot be loaded ({e}). Retrain with: {RETRAIN}") from None
    if sorted(fast.classes) != sorted(labels):
        raise ModelError(f"the model file {fpath} does not match its card's labels. Retrain with: {RETRAIN}")
    return Model(labels, card, mpath, fast=fast)


def save(estimator, card: dict, directory: Path) -> Path:
    import joblib

    from .linear import FastLinear, Unsupported

    directory.mkdir(parents=True, exist_ok=True)
    mpath = directory / MODEL_FILE
    joblib.dump(estimator, mpath, compress=("zlib", 3))  # fast to load; xz took ~5x longer
    card = dict(card)
    card["model_sha256"] = sha256_file(mpath)
    card["model_bytes"] = mpath.stat().st_size
    fpath = directory / FAST_FILE
    try:
        FastLinear.from_pipeline(estimator).save(fpath)
        card["fast_sha256"] = sha256_file(fpath)
        card["fast_bytes"] = fpath.stat().st_size
    except Unsupported:
        fpath.unlink(missing_ok=True)
        card.pop("fast_sha256", None)
    (directory / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return mpath


@lru_cache(maxsize=1)
def default() -> Model:
    return load()
