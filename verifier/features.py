"""scikit-learn transformers from an :class:`~verifier.analysis.Analysis` to one sparse vector.

The same classes run at training time (scripts/train.py) and at check time (the model's
Pipeline), so they live at module level and pickle by reference.

- :class:`StructuredFeatures`: rule hits, each label's summed rule priors, entity and registry
  predicates, sender class (when a sender is given), lender kind, a few counts.
- :class:`TextField` + ``TfidfVectorizer``: jieba word n-grams (:func:`jieba_tokens`) of the
  masked normalised text (entities replaced by placeholder words); optionally character n-grams.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from .featurize import jieba_tokens, structured_row  # noqa: F401  (jieba_tokens: the vectorizer's tokenizer)
from .vocabulary import KINDS, LABELS, PREDICATES, SENDER_CLASSES


class StructuredFeatures(BaseEstimator, TransformerMixin):
    """Rule, entity, registry and sender facts as a sparse 0/1 (and small count) matrix."""

    def __init__(self, rule_ids: tuple[str, ...] = ()):
        self.rule_ids = rule_ids

    def fit(self, X, y=None):
        names = [f"rule:{r}" for r in self.rule_ids]
        names += [f"prior:{L}" for L in LABELS] + ["prior:hard"]
        names += [f"fact:{p}" for p in sorted(PREDICATES)]
        names += [f"sender:{c}" for c in SENDER_CLASSES]
        names += [f"lender_kind:{k}" for k in KINDS] + ["lender:licensed", "lender:none"]
        names += ["count:urls", "count:phones", "count:hits"]
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
        """The features of one Analysis as {column: value} (shared with the fast path)."""
        return structured_row(a, self.index_, self.feature_names_)


class TextField(BaseEstimator, TransformerMixin):
    """Picks the masked normalised text out of each Analysis (for the vectorizers)."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [a.masked for a in X]

    def get_feature_names_out(self, input_features=None):
        return np.array(["masked_text"], dtype=object)


def build_features(rule_ids, text_weight: float = 1.0, with_chars: bool = False):
    """The feature union used by training and checking. No column says how long the message is,
    whether it is signed or whether a sender was given: style must not stand in for what a
    message does (the corpus and its augmentation vary all three within every label)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline

    chars = Pipeline([("text", TextField()), ("tfidf", TfidfVectorizer(
        analyzer="char", ngram_range=(2, 3), min_df=3, max_features=40000, sublinear_tf=True, lowercase=False, dtype=np.float32))])
    words = Pipeline([("text", TextField()), ("tfidf", TfidfVectorizer(
        tokenizer=jieba_tokens, token_pattern=None, lowercase=False, ngram_range=(1, 2), min_df=3, max_features=30000,
        sublinear_tf=True, dtype=np.float32))])
    return FeatureUnion(
        [("structured", StructuredFeatures(tuple(rule_ids))), ("words", words)] + ([("chars", chars)] if with_chars else []),
        transformer_weights={"structured": 1.0, "words": text_weight, **({"chars": text_weight} if with_chars else {})},
    )
