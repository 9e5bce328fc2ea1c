"""scikit-learn transformers from an :class:`~verifier.pipeline.Analysis` to one sparse vector.

The same classes run at training time (scripts/train.py) and at check time (the model's
Pipeline), so they live at module level and pickle by reference.

- :class:`StructuredFeatures`: rule hits, each label's summed rule priors, entity and registry
  predicates, sender class, lender kind, a few counts.
- :class:`TextField` + ``TfidfVectorizer``: character n-grams of the masked normalised text
  (entities replaced by placeholder words), and jieba word n-grams (:func:`jieba_tokens`).
"""
from __future__ import annotations

import logging
import math
import os
import re
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from .rules.engine import LABELS, PREDICATES

SENDER_CLASSES = ("service", "port", "mobile", "virtual", "landline", "tollfree", "foreign", "malformed")
LENDER_KINDS = ("bank", "consumer_finance", "internet_platform", "small_loan", "collection_agency", "mediation",
                "regulator", "complaint_channel", "other")


class StructuredFeatures(BaseEstimator, TransformerMixin):
    """Rule, entity, registry and sender facts as a sparse 0/1 (and small count) matrix."""

    def __init__(self, rule_ids: tuple[str, ...] = ()):
        self.rule_ids = rule_ids

    def fit(self, X, y=None):
        names = [f"rule:{r}" for r in self.rule_ids]
        names += [f"prior:{L}" for L in LABELS] + ["prior:hard"]
        names += [f"fact:{p}" for p in sorted(PREDICATES)]
        names += [f"sender:{c}" for c in SENDER_CLASSES] + ["sender:none"]
        names += [f"lender_kind:{k}" for k in LENDER_KINDS] + ["lender:licensed", "lender:none"]
        names += ["count:urls", "count:phones", "count:hits", "len:log", "len:short", "len:long", "signature:start",
                  "signature:end", "signature:square", "signature:dash", "signature:malformed", "signature:inline"]
        self.feature_names_ = np.array(names, dtype=object)
        self.index_ = {n: i for i, n in enumerate(names)}
        return self

    def get_feature_names_out(self, input_features=None):
        return self.feature_names_

    def transform(self, X):
        rows, cols, vals = [], [], []
        for r, a in enumerate(X):
            for j, v in self.row(a).items():
                rows.append(r)
                cols.append(j)
                vals.append(v)
        return sp.csr_matrix((vals, (rows, cols)), shape=(len(X), len(self.feature_names_)), dtype=np.float64)

    def row(self, a) -> dict[int, float]:
        """The features of one Analysis as {column: value} (shared by transform and the fast path)."""
        idx = self.index_
        feats: dict[int, float] = {}

        def put(name, v=1.0):
            j = idx.get(name)
            if j is not None:
                feats[j] = feats.get(j, 0.0) + v

        prior = dict.fromkeys(LABELS, 0.0)
        seen = set()
        for h in a.hits:
            if h.rule.id not in seen:
                put(f"rule:{h.rule.id}")
                prior[h.rule.label] += h.rule.weight
                seen.add(h.rule.id)
                if h.rule.hard:
                    put("prior:hard")
        for L, v in prior.items():
            if v:
                put(f"prior:{L}", math.log1p(v))
        for p in a.facts:
            put(f"fact:{p}")
        put(f"sender:{a.sender_class}" if a.sender_class else "sender:none")
        if a.lender is not None:
            put(f"lender_kind:{a.lender.kind}")
            if a.lender.licensed:
                put("lender:licensed")
        else:
            put("lender:none")
        put("count:urls", min(len(a.urls), 3) / 3)
        put("count:phones", min(len(a.phones), 3) / 3)
        put("count:hits", min(len(seen), 8) / 8)
        n = len(a.text)
        put("len:log", min(math.log1p(n) / 6, 1.5))
        if n < 30:
            put("len:short")
        if n > 200:
            put("len:long")
        for sg, _, _ in a.signatures:
            put(f"signature:{sg.style}")
        names = self.feature_names_
        return {j: (min(v, 1.5) if not names[j].startswith(("prior:", "len:", "count:")) else v) for j, v in feats.items()}


class TextField(BaseEstimator, TransformerMixin):
    """Picks the masked normalised text out of each Analysis (for the vectorizers)."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [a.masked for a in X]

    def get_feature_names_out(self, input_features=None):
        return np.array(["masked_text"], dtype=object)


# ---- jieba, set up once, quietly, with a per-user cache and the domain dictionary ---------
_JIEBA_LOCK = threading.Lock()
_JIEBA = None


def _user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "verifier"


def _jieba():
    global _JIEBA
    if _JIEBA is not None:
        return _JIEBA
    with _JIEBA_LOCK:
        if _JIEBA is not None:
            return _JIEBA
        import sys
        import warnings

        # jieba 0.42 imports pkg_resources only to find its own files (and falls back to plain
        # paths without it); that import costs ~0.1 s and a deprecation warning, so hide it
        # while jieba is imported when nothing else has loaded it
        hide = "pkg_resources" not in sys.modules
        if hide:
            sys.modules["pkg_resources"] = None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import jieba
        finally:
            if hide:
                sys.modules.pop("pkg_resources", None)
        jieba.setLogLevel(logging.WARNING)
        logging.getLogger("jieba").setLevel(logging.WARNING)
        # a trimmed dictionary (jieba's 60k most frequent words + domain words, see
        # scripts/build_jieba_dict.py) loads ~15x faster than the full one
        tok = jieba.Tokenizer(dictionary=str(Path(__file__).with_name("jieba_dict.txt")))
        cache = _user_cache_dir()
        try:
            cache.mkdir(parents=True, exist_ok=True)
            tok.tmp_dir = str(cache)
            tok.initialize()
        except OSError:  # unwritable cache dir: build the prefix dictionary in memory only
            tok.tmp_dir = None
            tok.cache_file = os.devnull
            tok.initialize()
        _JIEBA = tok
        return tok


# jieba's own block split: runs of these characters are segmented, everything else is
# emitted character by character (jieba.Tokenizer.cut with HMM=False)
_HAN_BLOCK = re.compile(r"([\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+)")


@lru_cache(maxsize=50_000)
def _cut_block(block: str) -> tuple[str, ...]:
    return tuple(_jieba().lcut(block, HMM=False))


def jieba_tokens(text: str) -> list[str]:
    """Words of the masked text (punctuation and spaces dropped). Module level: it pickles.

    The same tokens as ``jieba.lcut(text, HMM=False)``, computed per block with a cache: SMS
    repeat their phrases (如已还款请忽略, 请登录App还款), so most blocks are cut only once."""
    out: list[str] = []
    for i, part in enumerate(_HAN_BLOCK.split(text)):
        if not part:
            continue
        if i % 2:  # a block jieba segments
            out.extend(w for w in _cut_block(part) if not _is_punct(w))
        else:
            out.extend(c for c in part if c.strip() and not _is_punct(c))
    return out


def _is_punct(w: str) -> bool:
    return len(w) == 1 and not w.isalnum()


def build_features(rule_ids, text_weight: float = 1.0):
    """The feature union used by training and checking."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline

    chars = Pipeline([("text", TextField()), ("tfidf", TfidfVectorizer(
        analyzer="char", ngram_range=(2, 3), min_df=3, max_features=40000, sublinear_tf=True, lowercase=False, dtype=np.float32))])
    words = Pipeline([("text", TextField()), ("tfidf", TfidfVectorizer(
        tokenizer=jieba_tokens, token_pattern=None, lowercase=False, ngram_range=(1, 2), min_df=3, max_features=30000,
        sublinear_tf=True, dtype=np.float32))])
    return FeatureUnion(
        [("structured", StructuredFeatures(tuple(rule_ids))), ("chars", chars), ("words", words)],
        transformer_weights={"structured": 1.0, "chars": text_weight, "words": text_weight},
    )
