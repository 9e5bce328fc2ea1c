"""The trained Pipeline's own arithmetic, for a batch of messages, without scikit-learn.

scikit-learn validates inputs on every call (~10 ms for one message through a FeatureUnion and
five calibrated classifiers) and takes ~1 s to import; the arithmetic itself is microseconds.
At training time ``FastLinear.from_pipeline`` reads the FITTED objects (vocabularies, idf
vectors, transformer weights, coefficients, Platt calibrators) and ``save`` writes them to
``models/verifier.fast.npz`` — plain arrays, no pickle. ``check`` evaluates exactly what
``Pipeline.predict_proba`` computes:

    tf-idf block  = l2norm((1 + log tf) * idf)          (sublinear_tf, norm="l2")
    x             = hstack(weight_b * block_b)
    d_k           = x · coef_k + intercept_k             (each calibrated fold)
    p_k           = 1 / (1 + exp(a_k d_k + b_k)),  p /= Σ p  (uniform if Σ p = 0)
    proba         = mean over folds

Nothing is re-fitted or patched: a test checks it agrees with the joblib Pipeline's
``predict_proba`` to 1e-6 on the corpus. Models of another shape (trees, isotonic calibration)
are not exported and run through scikit-learn as is.
"""
from __future__ import annotations

import json
from collections import Counter
from itertools import repeat
from pathlib import Path

import numpy as np

from .featurize import char_ngrams, jieba_tokens, structured_row, word_ngrams

FORMAT = 1


class Unsupported(Exception):
    pass


class _Analyzer:
    """The n-grams of one block (a class, not a lambda: the model pickles with the standard
    library, so a process pool or a distributed engine's workers can receive it)."""

    def __init__(self, kind: str, lo: int, hi: int):
        self.kind, self.lo, self.hi = kind, lo, hi

    def __call__(self, text: str) -> list[str]:
        if self.kind == "chars":
            return char_ngrams(text, self.lo, self.hi)
        return word_ngrams(jieba_tokens(text), self.lo, self.hi)


def _analyzer(kind: str, lo: int, hi: int) -> _Analyzer:
    return _Analyzer(kind, lo, hi)


class FastLinear:
    def __init__(self, blocks: list[dict], coef_t, intercept, a, b, classes: list[str]):
        self.blocks = blocks            # dicts: kind, offset, weight, (names | vocab, idf, ngram, sublinear)
        self.coef_t = coef_t            # features × folds × classes
        self.intercept = intercept      # folds × classes
        self.a = a                      # folds × classes (Platt slope)
        self.b = b                      # folds × classes (Platt offset)
        self.classes = classes
        for bl in blocks:
            if bl["kind"] == "structured":
                bl["index"] = {n: i for i, n in enumerate(bl["names"])}
            else:
                bl["analyze"] = _analyzer(bl["kind"], *bl["ngram"])
                if "vocab_map" not in bl:
                    bl["vocab_map"] = {t: i for i, t in enumerate(bl["vocab"])}
        self._names = None
        self._term_w = None

    # ---- built from the fitted scikit-learn Pipeline (training) --------------------------------
    @classmethod
    def from_pipeline(cls, pipeline) -> "FastLinear":
        from sklearn.feature_extraction.text import TfidfVectorizer

        from .features import StructuredFeatures

        fu = pipeline[:-1]
        if hasattr(fu, "steps"):
            fu = fu.steps[-1][1]
        weights = fu.transformer_weights or {}
        blocks, offset = [], 0
        for name, trans in fu.transformer_list:
            w = float(weights.get(name, 1.0))
            if isinstance(trans, StructuredFeatures):
                names = [str(n) for n in trans.feature_names_]
                blocks.append({"kind": "structured", "name": name, "offset": offset, "weight": w, "names": names})
                offset += len(names)
                continue
            vec = trans.steps[-1][1] if hasattr(trans, "steps") else trans
            if not isinstance(vec, TfidfVectorizer) or vec.norm != "l2" or not vec.use_idf or vec.binary or vec.lowercase \
                    or vec.preprocessor is not None or vec.strip_accents is not None or vec.stop_words is not None:
                raise Unsupported(f"block {name}")
            if vec.analyzer == "char":
                kind = "chars"
            elif vec.analyzer == "word" and vec.tokenizer is jieba_tokens:
                kind = "words"
            else:
                raise Unsupported(f"block {name}: analyzer")
            vocab = [None] * len(vec.vocabulary_)
            for t, i in vec.vocabulary_.items():
                vocab[i] = t
            blocks.append({"kind": kind, "name": name, "offset": offset, "weight": w, "ngram": list(vec.ngram_range),
                           "sublinear": bool(vec.sublinear_tf), "vocab": vocab,
                           "idf": np.asarray(vec.idf_, dtype=np.float64)})
            # the analyzer here must make exactly the n-grams scikit-learn made
            ref = vec.build_analyzer()
            mine = _analyzer(kind, *vec.ngram_range)
            for sample in ("【招商银行】您尾号1234的信用卡  账单 网址 已逾期", "a  b\tc 爆通讯录 0元", ""):
                if list(ref(sample)) != list(mine(sample)):
                    raise Unsupported(f"block {name}: n-grams differ")
            offset += len(vocab)
        clf = pipeline[-1]
        cals = getattr(clf, "calibrated_classifiers_", None)
        if not cals or getattr(clf, "method", None) != "sigmoid":
            raise Unsupported("not a sigmoid-calibrated classifier")
        classes = [str(c) for c in clf.classes_]
        coefs, inters, A, B = [], [], [], []
        for cc in cals:
            est = cc.estimator
            if not hasattr(est, "coef_") or list(map(str, est.classes_)) != classes or len(classes) < 3:
                raise Unsupported("not a multiclass linear model")
            coefs.append(np.asarray(est.coef_, dtype=np.float64))
            inters.append(np.asarray(est.intercept_, dtype=np.float64))
            A.append([c.a_ for c in cc.calibrators])
            B.append([c.b_ for c in cc.calibrators])
        coef = np.stack(coefs)
        if coef.shape[2] != offset:
            raise Unsupported("feature count mismatch")
        return cls(blocks, np.ascontiguousarray(np.transpose(coef, (2, 0, 1))), np.stack(inters),
                   np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64), classes)

    # ---- plain-array file: no pickle, no scikit-learn ------------------------------------------
    def save(self, path: Path) -> None:
        meta_blocks, arrays = [], {}
        for i, bl in enumerate(self.blocks):
            m = {k: v for k, v in bl.items() if k in ("kind", "name", "offset", "weight", "ngram", "sublinear", "names", "vocab")}
            if "idf" in bl:
                arrays[f"idf_{i}"] = bl["idf"]
            meta_blocks.append(m)
        meta = json.dumps({"format": FORMAT, "classes": self.classes, "blocks": meta_blocks}, ensure_ascii=False)
        with open(path, "wb") as f:
            np.savez_compressed(f, meta=np.frombuffer(meta.encode("utf-8"), dtype=np.uint8), coef_t=self.coef_t,
                                intercept=self.intercept, a=self.a, b=self.b, **arrays)

    @classmethod
    def load(cls, path: Path) -> "FastLinear":
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(bytes(z["meta"]).decode("utf-8"))
            if meta.get("format") != FORMAT:
                raise Unsupported(f"export format {meta.get('format')}")
            blocks = meta["blocks"]
            for i, bl in enumerate(blocks):
                if bl["kind"] != "structured":
                    bl["idf"] = z[f"idf_{i}"]
            return cls(blocks, z["coef_t"], z["intercept"], z["a"], z["b"], list(meta["classes"]))

    # ---- many messages at once -----------------------------------------------------------------
    def batch(self, analyses) -> tuple[np.ndarray, "Rows"]:
        """(probabilities, one row per message × class, in ``classes`` order; the feature rows):
        the same arithmetic as :meth:`features` and :meth:`proba`, done for the whole batch in a
        few array operations instead of a dozen small ones per message."""
        n = len(analyses)
        segs, cols, vals = [], [], []
        for bl in self.blocks:
            s, c, v = self._block_batch(bl, analyses, n)
            segs.append(s)
            cols.append(c)
            vals.append(v)
        seg, col, val = np.concatenate(segs), np.concatenate(cols), np.concatenate(vals)
        F, C = self.intercept.shape
        W = self.coef_t[col].reshape(len(col), F * C) * val[:, None]
        d = np.empty((n, F * C))
        for j in range(F * C):
            d[:, j] = np.bincount(seg, weights=W[:, j], minlength=n)
        d = d.reshape(n, F, C) + self.intercept
        p = 1.0 / (1.0 + np.exp(self.a * d + self.b))
        s = p.sum(axis=2, keepdims=True)
        p = np.where(s == 0, 1.0 / C, p / np.where(s == 0, 1.0, s))
        return np.clip(p, 0.0, 1.0).mean(axis=1), Rows(seg, col, val, n)

    def _block_batch(self, bl, analyses, n: int):
        """(message index, column, value) of every non-zero of one block, for the whole batch."""
        off, w = bl["offset"], bl["weight"]
        segs: list[int] = []
        ids: list = []
        vals: list[float] = []
        if bl["kind"] == "structured":
            for r, a in enumerate(analyses):
                row = structured_row(a, bl["index"], bl["names"])
                segs.extend(repeat(r, len(row)))
                ids.extend(row.keys())
                vals.extend(row.values())
            return np.array(segs, dtype=np.int64), np.array(ids, dtype=np.int64) + off, w * np.array(vals, dtype=np.float64)
        vm, analyze = bl["vocab_map"], bl["analyze"]
        for r, a in enumerate(analyses):
            counts = Counter(analyze(a.masked))
            segs.extend(repeat(r, len(counts)))
            ids.extend(map(vm.get, counts, repeat(-1)))
            vals.extend(counts.values())
        js = np.array(ids, dtype=np.int64)
        keep = js >= 0
        seg, js = np.array(segs, dtype=np.int64)[keep], js[keep]
        tf = np.array(vals, dtype=np.float64)[keep]
        if bl["sublinear"]:
            tf = np.log(tf) + 1.0
        x = (tf * bl["idf"][js]).astype(np.float32).astype(np.float64)  # the vectorizer's float32 output
        nrm = np.sqrt(np.bincount(seg, weights=x * x, minlength=n))[seg]
        x = np.where(nrm > 0, (x / np.where(nrm > 0, nrm, 1.0)).astype(np.float32).astype(np.float64), x)
        return seg, js + off, x * w

    # ---- explanation ---------------------------------------------------------------------------
    def names(self) -> list[str]:
        """Feature names in the FeatureUnion's style (structured__…, chars__…, words__…)."""
        if self._names is None:
            out: list[str] = []
            for bl in self.blocks:
                items = bl["names"] if bl["kind"] == "structured" else bl["vocab"]
                out.extend(f"{bl['name']}__{t}" for t in items)
            self._names = out
        return self._names

    def term_weights(self):
        """Per-class weight of each feature relative to the other classes (classes × features)."""
        if self._term_w is None:
            C = self.coef_t.mean(axis=1)                     # features × classes
            self._term_w = (C - C.mean(axis=1, keepdims=True)).T
        return self._term_w


class Rows:
    """The feature rows of a batch, as (column indices, values) per message on demand."""

    def __init__(self, seg: np.ndarray, col: np.ndarray, val: np.ndarray, n: int):
        order = np.argsort(seg, kind="stable")
        self.col, self.val = col[order], val[order]
        self.bounds = np.searchsorted(seg[order], np.arange(n + 1))

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.bounds[i], self.bounds[i + 1]
        return self.col[a:b], self.val[a:b]

    def __len__(self) -> int:
        return len(self.bounds) - 1
