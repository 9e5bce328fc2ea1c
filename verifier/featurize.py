"""Everything a message's feature row needs at check time, without scikit-learn.

The model is trained with scikit-learn (features.py), but checking a message only needs the
fitted numbers; this module holds the pieces both sides share so that the check path never
imports scikit-learn: jieba word tokens, the character and word n-gram analyzers (the same
n-grams TfidfVectorizer builds), and the structured-feature row.
"""
from __future__ import annotations

import logging
import math
import os
import re
import threading
from functools import lru_cache
from pathlib import Path

from .vocabulary import LABELS

_WHITE_SPACES = re.compile(r"\s\s+")


def char_ngrams(text: str, lo: int, hi: int) -> list[str]:
    """Character n-grams as TfidfVectorizer(analyzer="char", ngram_range=(lo, hi)) makes them."""
    text = _WHITE_SPACES.sub(" ", text)
    n_text = len(text)
    out = list(text) if lo == 1 else []
    if lo == 1:
        lo = 2
    for n in range(lo, min(hi + 1, n_text + 1)):
        for i in range(n_text - n + 1):
            out.append(text[i:i + n])
    return out


def word_ngrams(tokens: list[str], lo: int, hi: int) -> list[str]:
    """Word n-grams joined by a space, as TfidfVectorizer(ngram_range=(lo, hi)) makes them."""
    if hi == 1:
        return tokens
    out = list(tokens) if lo == 1 else []
    if lo == 1:
        lo = 2
    for n in range(lo, min(hi + 1, len(tokens) + 1)):
        out.extend(map(" ".join, zip(*(tokens[k:] for k in range(n)))))
    return out


# facts about how a message was pasted, not what it does: never model features
STYLE_FACTS = frozenset({"sender.given", "signature.present", "time.given"})


class _Plan:
    """A feature index read once: the column of every rule, fact, sender class and lender kind,
    and which columns are capped (all but priors and counts)."""

    def __init__(self, index: dict, names):
        self.index = index
        self.capped = [not str(n).startswith(("prior:", "count:")) for n in names]
        self.rule = {n[5:]: j for n, j in index.items() if n.startswith("rule:")}
        self.fact = {n[5:]: j for n, j in index.items() if n.startswith("fact:") and n[5:] not in STYLE_FACTS}
        self.sender = {n[7:]: j for n, j in index.items() if n.startswith("sender:")}
        self.kind = {n[12:]: j for n, j in index.items() if n.startswith("lender_kind:")}
        self.prior = [(L, index.get(f"prior:{L}")) for L in LABELS]
        self.hard, self.licensed, self.none = index.get("prior:hard"), index.get("lender:licensed"), index.get("lender:none")
        self.counts = (index.get("count:urls"), index.get("count:phones"), index.get("count:hits"))


_PLANS: dict[int, _Plan] = {}


def _plan(index: dict, names) -> _Plan:
    plan = _PLANS.get(id(index))
    if plan is None or plan.index is not index:
        plan = _PLANS[id(index)] = _Plan(index, names)
    return plan


def structured_row(a, index: dict, names) -> dict[int, float]:
    """The structured features of one Analysis as {column: value} (rule hits, each label's
    summed rule priors, predicates, sender class, lender kind, counts) — nothing about length,
    signature or whether a sender was given."""
    plan = _plan(index, names)
    feats: dict[int, float] = {}

    def put(j, v=1.0):
        if j is not None:
            feats[j] = feats.get(j, 0.0) + v

    prior = dict.fromkeys(LABELS, 0.0)
    seen = set()
    for h in a.hits:
        r = h.rule
        if r.id not in seen:
            put(plan.rule.get(r.id))
            prior[r.label] += r.weight
            seen.add(r.id)
            if r.hard:
                put(plan.hard)
    for L, j in plan.prior:
        if prior[L]:
            put(j, math.log1p(prior[L]))
    fact = plan.fact
    for p in a.facts:
        put(fact.get(p))
    found = a.found
    if found.sender_class:
        put(plan.sender.get(found.sender_class))
    lender = a.lender
    if lender is not None:
        put(plan.kind.get(lender.kind))
        if lender.licensed:
            put(plan.licensed)
    else:
        put(plan.none)
    urls, phones_, hits = plan.counts
    put(urls, min(len(found.urls), 3) / 3)
    put(phones_, min(len(found.phones), 3) / 3)
    put(hits, min(len(seen), 8) / 8)
    capped = plan.capped
    return {j: (min(v, 1.5) if capped[j] else v) for j, v in feats.items()}


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


@lru_cache(maxsize=1)
def _block_cutter():
    """jieba's segmentation of ONE block without HMM: what ``lcut(block, HMM=False)`` runs for a
    run of _HAN_BLOCK characters, minus re-splitting the block and the generator around it
    (jieba 0.42's Tokenizer.__cut_DAG_NO_HMM; the public call if a jieba lacks it). A test
    checks both give the same words on every corpus block."""
    tok = _jieba()
    return getattr(tok, "_Tokenizer__cut_DAG_NO_HMM", None) or (lambda block: tok.lcut(block, HMM=False))


@lru_cache(maxsize=50_000)
def _cut_block(block: str) -> tuple[str, ...]:
    return tuple(_block_cutter()(block))


def jieba_tokens(text: str) -> list[str]:
    """Words of the masked text (punctuation and spaces dropped). Module level: it pickles.

    The same tokens as ``jieba.lcut(text, HMM=False)``, computed per block with a cache: SMS
    repeat their phrases (如已还款请忽略, 请登录App还款), so most blocks are cut only once."""
    out: list[str] = []
    for i, part in enumerate(_HAN_BLOCK.split(text)):
        if not part:
            continue
        if i % 2:  # a block jieba segments; a one-character word that is not a letter or digit is punctuation
            out.extend([w for w in _cut_block(part) if len(w) > 1 or w.isalnum()])
        else:
            out.extend([c for c in part if c.isalnum()])
    return out


# ---- the text the n-grams see ----------------------------------------------------------------
_DIGITS = re.compile(r"[0-9]+")


def masked_text(t: str, us, ps, amts) -> str:
    """Entities become placeholder words so n-grams learn 'a link' and not 'this link'."""
    spans = [(u.start, u.end, " 网址 ") for u in us] + [(p.start, p.end, " 电话 ") for p in ps] + [(a.start, a.end, " 金额 ") for a in amts]
    spans.sort()
    out, last = [], 0
    for s, e, tok in spans:
        if s < last:
            continue
        out.append(t[last:s])
        out.append(tok)
        last = e
    out.append(t[last:])
    return _DIGITS.sub("0", "".join(out))
