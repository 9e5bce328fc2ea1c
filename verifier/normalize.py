"""Text normalisation that sees through obfuscation and keeps an exact offset map.

``normalize(raw)`` returns a :class:`Normalized`: the text the rules and the model see, plus,
for every normalised character, the span of the ORIGINAL text it came from. Any span of the
normalised text maps back with :meth:`Normalized.to_raw`, so evidence always quotes the raw
message exactly.

What is folded, in one pass over the characters:
- NFKC width folding (full-width letters/digits/punctuation → ASCII), case folding;
- Traditional → Simplified (OpenCC ``t2s``, character-aligned) and the 帐→账 variant;
- zero-width, joiner, variation-selector and other format characters are dropped;
- control characters and line breaks become one space; runs of spaces collapse;
- separators and emoji inserted BETWEEN two CJK characters are dropped
  ("征 信 修 复" → "征信修复", "爆.通.讯.录" → "爆通讯录");
- Cyrillic/Greek look-alike letters become their Latin twins (раураl → paypal);
- an ideographic full stop between two ASCII letters or digits becomes "." (weixin-qq。com).
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

MAX_CHARS = 20_000
"""Only this many characters of a message are analysed (an SMS is at most a few hundred)."""

_FORMAT_DROP = {"Cf", "Mn", "Me"}  # format (zero-width, bidi), combining marks (variation selectors, keycaps)
_SEPARATORS = set(" .·-_*/|~、,;:：;\u3000'\"`^+=#…。—–•●○◆◇★☆♥♡") | {"\u00b7", "\u2027", "\u30fb"}
_LOOKALIKE = str.maketrans({
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "ӏ": "l", "һ": "h", "ɡ": "g",
    # Greek
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "χ": "x", "ε": "e",
})
_VARIANTS = str.maketrans({"帐": "账", "徵": "征", "傢": "家", "妳": "你", "祕": "秘", "裏": "里", "著": "着"})


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FA1F


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    """The folded form of one character ('' to drop it). Cached: a message repeats few characters."""
    o = ord(ch)
    if o < 0x80:
        if ch in "\r\n\t\v\f":
            return " "
        if o < 0x20 or o == 0x7F:
            return ""
        return ch.lower()
    if 0xD800 <= o <= 0xDFFF:  # lone surrogate: garbage from a broken decoder
        return ""
    cat = unicodedata.category(ch)
    if cat in _FORMAT_DROP or cat == "Cc" or cat == "Co" or cat == "Cn":
        return " " if ch in "\u2028\u2029\x85" else ""
    if cat == "Zs" or cat == "Zl" or cat == "Zp":
        return " "
    folded = unicodedata.normalize("NFKC", ch)
    if folded != ch and len(folded) > 1 and not folded.isascii():
        folded = ch  # keep decompositions like ㈱ readable
    folded = folded.lower().translate(_LOOKALIKE)
    if any(is_cjk(c) for c in folded):
        folded = _t2s().convert(folded).translate(_VARIANTS)
    return folded


# separators: the space, the marks above, emoji and pictographs, dingbats, arrows, box drawing,
# misc symbols and private-use characters, as one character class found in one C-level scan
_SEP_RUN = re.compile("[ " + "".join(re.escape(c) for c in sorted(_SEPARATORS)) + "\u2190-\u2bff\U0001f000-\U0001faff\ue000-\uf8ff]")


@dataclass(frozen=True, slots=True)
class Normalized:
    raw: str
    text: str
    starts: tuple[int, ...]  # raw start offset of each normalised character
    ends: tuple[int, ...]    # raw end offset of each normalised character
    truncated: bool = False
    reordered: bool = False  # a right-to-left override was read in display order: offsets are not monotonic

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised span [start, end) to the raw span that produced it."""
        n = len(self.text)
        if n == 0:
            return (0, 0)
        start = max(0, min(start, n - 1))
        end = max(start + 1, min(end, n))
        if self.reordered:
            return min(self.starts[start:end]), max(self.ends[start:end])
        return self.starts[start], self.ends[end - 1]

    def from_raw(self, start: int, end: int) -> tuple[int, int] | None:
        """The normalised span covering the raw span [start, end), or None when normalisation
        dropped all of it (zero-width characters, a 【】 signature's spaces…)."""
        s = bisect.bisect_left(self.ends, start + 1)
        e = bisect.bisect_left(self.starts, end)
        if s >= e:
            return None
        return s, e


_RTL_OPEN = "\u202e\u2067"      # RIGHT-TO-LEFT OVERRIDE, RIGHT-TO-LEFT ISOLATE
_RTL_CLOSE = "\u202c\u2069\n"  # POP DIRECTIONAL FORMATTING, POP DIRECTIONAL ISOLATE, end of line
MAX_SCAN = 5_000_000             # characters looked at to find where the visible 20,000 end


def visible_cut(raw: str, limit: int = MAX_CHARS) -> int:
    """The index in ``raw`` after its ``limit``-th visible character (invisible format characters
    and spaces do not count, so 20,000 zero-width spaces cannot push a message out of reach)."""
    if len(raw) <= limit:
        return len(raw)
    seen = 0
    for i, c in enumerate(raw[:MAX_SCAN]):
        if not c.isspace() and unicodedata.category(c) not in _FORMAT_DROP:
            seen += 1
            if seen >= limit:
                return i + 1
    return min(len(raw), MAX_SCAN)


def _rtl_runs(src: str) -> list[tuple[int, int]]:
    """Raw [start, end) of each run shown right to left by an override or isolate."""
    runs, i = [], 0
    while True:
        j = min((k for k in (src.find(c, i) for c in _RTL_OPEN) if k >= 0), default=-1)
        if j < 0:
            return runs
        k = min((x for x in (src.find(c, j + 1) for c in _RTL_CLOSE) if x >= 0), default=len(src))
        runs.append((j + 1, k))
        i = k


def normalize(raw: str) -> Normalized:
    """Normalise ``raw`` (a str) for matching, keeping the offset map back to ``raw``."""
    cut = visible_cut(raw)
    truncated = cut < len(raw)
    src = raw[:cut] if truncated else raw
    chars, starts, ends = _fold(src)
    reordered = _display_order(src, chars, starts, ends)
    _ocr_fixes(chars)
    out, os_, oe = _separators(chars, starts, ends)
    a, b = 0, len(out)  # trim
    while a < b and out[a] == " ":
        a += 1
    while b > a and out[b - 1] == " ":
        b -= 1
    return Normalized(raw, "".join(out[a:b]), tuple(os_[a:b]), tuple(oe[a:b]), truncated, reordered)


class _FoldTable(dict):
    """ordinal → folded form, as str.translate's table, filled the first time a character is seen.
    ``irregular`` holds the characters that do not fold to exactly one character (dropped or
    expanded); ``generation`` changes whenever the table is emptied (it is bounded)."""

    LIMIT = 65536

    def __init__(self):
        super().__init__()
        self.irregular: set[str] = set()
        self.generation = 0

    def __missing__(self, o: int) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
            self.irregular.clear()
            self.generation += 1
        f = _fold_char(chr(o))
        self[o] = f
        if len(f) != 1:
            self.irregular.add(chr(o))
        return f


_FOLD = _FoldTable()


def _fold(src: str) -> tuple[list[str], list[int], list[int]]:
    """Pass 1: per-character folding (cached per character), with each character's raw span."""
    generation = _FOLD.generation
    folded = src.translate(_FOLD)
    if _FOLD.generation == generation and _FOLD.irregular.isdisjoint(src):
        # the common case: every character folds to exactly one, so offsets are positions
        return list(folded), list(range(len(src))), list(range(1, len(src) + 1))
    folded = list(map(_fold_char, src))
    chars, starts, ends = [], [], []
    for i, f in enumerate(folded):
        for c in f:
            chars.append(c)
            starts.append(i)
            ends.append(i + 1)
    return chars, starts, ends


def _display_order(src: str, chars: list[str], starts: list[int], ends: list[int]) -> bool:
    """Text behind a right-to-left override is shown reversed: read it as the borrower sees it
    (in place). True when anything was reordered."""
    reordered = False
    if any(c in src for c in _RTL_OPEN):
        for a, b in _rtl_runs(src):
            ks = [k for k, st in enumerate(starts) if a <= st < b]
            if len(ks) > 1:
                lo, hi = ks[0], ks[-1] + 1
                chars[lo:hi], starts[lo:hi], ends[lo:hi] = chars[lo:hi][::-1], starts[lo:hi][::-1], ends[lo:hi][::-1]
                reordered = True
    return reordered


def _ocr_fixes(chars: list[str]) -> None:
    """OCR confusions, by context (in place): O/o and l/I between digits are 0 and 1 ("1O86" →
    "1086"), and so is an O that starts a run of digits ("O755" → "0755"); 己 is 已 unless it is
    part of 自己 / 知己 / 利己 … ("己逾期" → "已逾期")."""
    n = len(chars)
    for k in range(n):
        c = chars[k]
        if c in "oli|" and 0 < k < n - 1 and chars[k - 1].isdigit() and chars[k + 1].isdigit():
            chars[k] = "0" if c == "o" else "1"
        elif c == "o" and k + 3 < n and chars[k + 1].isdigit() and chars[k + 2].isdigit() and chars[k + 3].isdigit() \
                and (k == 0 or not chars[k - 1].isascii() or not chars[k - 1].isalpha()):
            chars[k] = "0"  # "回拨O755-…": a number that starts with an O
        elif c == "己" and (k == 0 or chars[k - 1] not in _JI_WORDS):
            chars[k] = "已"


def _separators(chars: list[str], starts: list[int], ends: list[int]) -> tuple[list[str], list[int], list[int]]:
    """Pass 2: separators between CJK characters, ideographic dots inside ASCII words, space
    runs. Characters between separator runs are copied in slices."""
    out: list[str] = []
    os_: list[int] = []
    oe: list[int] = []
    n = len(chars)
    sep = [m.start() for m in _SEP_RUN.finditer("".join(chars))]
    last = 0  # first index not yet copied
    si = 0
    while si < len(sep):
        i = sep[si]
        j = i + 1
        si += 1
        while si < len(sep) and sep[si] == j:
            j += 1
            si += 1
        if last < i:
            out.extend(chars[last:i])
            os_.extend(starts[last:i])
            oe.extend(ends[last:i])
        last = j
        _separator_run(chars, starts, ends, i, j, out, os_, oe)
    if last < n:
        out.extend(chars[last:n])
        os_.extend(starts[last:n])
        oe.extend(ends[last:n])
    return out, os_, oe


def _separator_run(chars, starts, ends, i: int, j: int, out: list, os_: list, oe: list) -> None:
    """The separator run chars[i:j]: dropped (obfuscation), a dot, or kept with spaces collapsed."""
    c = chars[i]
    prev = out[-1] if out else ""
    nxt = chars[j] if j < len(chars) else ""
    if prev and nxt and is_cjk(prev) and is_cjk(nxt) and j - i <= 3:
        # a short separator run between two CJK characters is obfuscation ("征 信", "爆.通"),
        # but a single sentence mark (，。；：) is punctuation unless the word is spaced out
        # with it ("爆,通,讯,录": the same mark again right after the next character)
        if not (j - i == 1 and c in _SENTENCE_MARKS and not _spaced_with(chars, i, j)):
            return
    if j - i == 1 and c == "。" and prev.isascii() and prev.isalnum() and nxt.isascii() and nxt.isalnum():
        out.append(".")
        os_.append(starts[i])
        oe.append(ends[i])
        return
    for k in range(i, j):  # keep the run, collapsing spaces
        ck = chars[k]
        if ck == " " and out and out[-1] == " ":
            oe[-1] = ends[k]
            continue
        out.append(ck)
        os_.append(starts[k])
        oe.append(ends[k])


_SENTENCE_MARKS = set(",。;:!?")
_JI_WORDS = set("自知利异舍克恶身一律")  # 自己, 知己, 利己, 异己, 舍己, 克己, 恶己, 身己, 一己, 律己


def _spaced_with(chars: list[str], i: int, j: int) -> bool:
    """True when the mark at ``i`` separates single characters: X,Y,Z."""
    mark = chars[i]
    return (j + 1 < len(chars) and chars[j + 1] == mark) or (i >= 2 and chars[i - 2] == mark)
