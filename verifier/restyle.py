"""The same message in another style: without its signature, cut to its core sentences, with
digits and names masked, without its sender — as borrowers paste, forward and screenshot it.

Training adds these renderings of every training message (kept in the message's family, so no
rendering crosses the held-out split), and the style-shifted held-out score renders every
held-out message this way: a model that reads style instead of content loses there. Nothing
here runs on the check path.
"""
from __future__ import annotations

import hashlib
import re

from .extract import signatures

_BRACKETS = "【】[]［］〖〗"
_SENTENCE = re.compile(r"[^。！!？?；;\n]+[。！!？?；;]?")
_CARD = re.compile(r"(?<![0-9])([0-9]{4})[0-9 ]{6,13}([0-9]{4})(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")
_TAIL = re.compile(r"(尾号|末四位|后四位)([0-9]{4})")
_NAME = re.compile(r"(?<![\u4e00-\u9fff])([赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦许何吕张孔曹严华金魏陶姜谢邹章苏潘葛范彭鲁马方任袁柳唐罗薛雷贺倪汤殷罗毕郝安常乐于时傅齐康伍余顾孟黄穆萧尹姚邵汪祁毛狄米贝明臧计成戴宋庞熊纪舒屈项祝董梁杜阮蓝闵季贾路江童颜郭梅盛林钟徐邱骆高夏蔡田胡凌霍虞万柯卢莫房解应丁宣邓洪包左石崔龚程邢裴陆荣翁荀甘焦][\u4e00-\u9fff*]{1,2})(先生|女士|同学|老师|经理)")


def _pick(text: str, salt: str, n: int) -> int:
    return int(hashlib.sha1((salt + text).encode("utf-8")).hexdigest()[:8], 16) % n


def unsigned(text: str) -> str:
    """The text without its 【signature】 / [signature] / -signature (inline names stay)."""
    cut = []
    for sg in signatures.find(text):
        if sg.style == "inline":
            continue
        a, b = sg.start, sg.end
        while a > 0 and text[a - 1] in _BRACKETS + " -—－–":
            a -= 1
        while b < len(text) and text[b] in _BRACKETS + " ":
            b += 1
        cut.append((a, b))
    if not cut:
        return text
    out, last = [], 0
    for a, b in sorted(cut):
        if a < last:
            continue
        out.append(text[last:a])
        last = b
    out.append(text[last:])
    return "".join(out).strip()


def masked(text: str) -> str:
    """Digits and names hidden as screenshots, forwards and news reports hide them."""
    k = _pick(text, "mask", 3)
    star = ("****", "XXXX", "××××")[k]
    t = _CARD.sub(lambda m: m.group(1) + star + m.group(2), text)
    t = _MOBILE.sub(lambda m: m.group(1) + star + m.group(2), t)
    t = _TAIL.sub(lambda m: m.group(1) + ("XXXX", "****", "xxxx")[k], t)
    t = _NAME.sub(lambda m: m.group(1)[0] + ("**", "某", "*")[k] + m.group(2), t)
    if t == text:  # nothing personal to hide: hide the amounts ("XX元") or the institution ("XX银行")
        t = re.sub(r"[0-9][0-9,]*(?:\.[0-9]{1,2})?(?=元)", "XX", text, count=2)
    if t == text:
        t = _ORG.sub(lambda m: ("XX", "某", "**")[k] + m.group(2), text, count=1)
    return t


_ORG = re.compile(r"(?<![【\[])([\u4e00-\u9fff]{2,4})(银行|金融|平台|公司|借条|分期|小贷)")


def core(text: str, keep: list[tuple[int, int]]) -> str:
    """The sentence of ``text`` that holds the first of the raw spans ``keep`` (the words a label
    rests on, strongest first) — with its neighbour when it is only a few characters — or the
    longest of the first three sentences when nothing is to be kept."""
    sents = [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip(" ，,")]
    if len(sents) <= 1:
        return text
    hit = [i for i, (a, b) in enumerate(sents) if keep and (a <= keep[0][0] < b)]
    i = hit[0] if hit else max(range(min(3, len(sents))), key=lambda k: sents[k][1] - sents[k][0])
    a, b = sents[i]
    if b - a < 12:  # "【X银行】" or "张先生：" alone: take the next sentence too
        b = sents[i + 1][1] if i + 1 < len(sents) else b
        a = sents[i - 1][0] if b == sents[i][1] and i > 0 else a
    out = text[a:b].strip()
    if len(out) > SHORT and keep and a <= keep[0][0] < b:
        out = _clause(text[a:b], keep[0][0] - a, keep[0][1] - a) or out
    return out if len(out) >= 12 else text


SHORT = 40  # real abusive and scam SMS: two thirds are this short
_CLAUSE = re.compile(r"(?:[^，,：:]|(?<=[0-9])[,:](?=[0-9]))+[，,：:]?")


def _clause(sent: str, s: int, e: int) -> str | None:
    """The clause of ``sent`` holding [s, e), widened clause by clause while it stays short."""
    cl = [(m.start(), m.end()) for m in _CLAUSE.finditer(sent)]
    ks = [i for i, (a, b) in enumerate(cl) if a <= s < b]
    if not ks:
        return None
    lo = hi = ks[0]
    while cl[hi][1] < e and hi + 1 < len(cl):
        hi += 1
    while True:
        grew = False
        if hi + 1 < len(cl) and cl[hi + 1][1] - cl[lo][0] <= SHORT:
            hi, grew = hi + 1, True
        if lo > 0 and cl[hi][1] - cl[lo - 1][0] <= SHORT:
            lo, grew = lo - 1, True
        if not grew:
            break
    out = sent[cl[lo][0]:cl[hi][1]].strip().rstrip("，,：:")
    return out if len(out) >= 12 else None


def renderings(text: str, sender, keep: list[tuple[int, int]]) -> list[tuple[str, str | None, str]]:
    """(text, sender, how) for each style the message can be shown in that differs from it:
    unsigned, core, masked, no sender — and all of them at once ("shifted")."""
    out = []
    u = unsigned(text)
    if u != text and u:
        out.append((u, sender, "unsigned"))
    c = core(text, keep)
    if c != text and c:
        out.append((c, sender, "core"))
    m = masked(text)
    if m != text:
        out.append((m, sender, "masked"))
    if sender:
        out.append((text, None, "no_sender"))
    out.append((shifted(text, keep), None, "shifted"))
    seen, uniq = {(text, sender)}, []
    for t, s, how in out:
        if (t, s) not in seen and t.strip():
            seen.add((t, s))
            uniq.append((t, s, how))
    return uniq


def shifted(text: str, keep: list[tuple[int, int]]) -> str:
    """Core sentences, no signature, masked: the style of a short pasted or quoted message."""
    c = core(text, keep)
    return masked(unsigned(c) or c)
