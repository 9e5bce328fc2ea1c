"""Phone numbers: the sender, and numbers written inside the message.

phonenumbers knows ordinary Chinese mobiles, landlines, 400/800 and foreign numbers; China's own
ranges it does not know (95xxx/96xxx service numbers, 106/1069 SMS ports, virtual-operator
mobiles 170/171/162/165/167) are classified here by prefix.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# classes of a number
SERVICE = "service"      # 95xxx / 96xxx / 10xxx short service numbers
PORT = "port"            # 106 / 1069… SMS gateway ports
MOBILE = "mobile"        # ordinary personal mobile
VIRTUAL = "virtual"      # virtual-operator mobile (170/171/162/165/167)
LANDLINE = "landline"
TOLLFREE = "tollfree"    # 400 / 800
FOREIGN = "foreign"
MALFORMED = "malformed"

PORT_CARRIERS = {"10657": "中国移动", "10658": "中国移动", "10655": "中国联通", "10656": "中国联通", "10659": "中国电信", "1069": "三网通用"}
VIRTUAL_PREFIXES = ("170", "171", "162", "165", "167")
CN_DIGITS = str.maketrans("零〇一二三四五六七八九幺两", "0012345678912")
_CN_DIGIT_CHARS = "零〇一二三四五六七八九幺两"


@dataclass(frozen=True, slots=True)
class Phone:
    start: int          # span in the normalised text
    end: int
    digits: str         # digits only, "+" kept for foreign numbers, 86 prefix removed
    kind: str           # one of the classes above


def _digits(s: str) -> str:
    plus = s.lstrip().startswith("+")
    d = re.sub(r"[^0-9]", "", s.translate(CN_DIGITS))
    return ("+" + d) if plus else d


@lru_cache(maxsize=4096)
def classify(number: str | None) -> tuple[str, str]:
    """(class, carrier) of a sender or callback number; class MALFORMED when it is not a number."""
    if not number:
        return MALFORMED, ""
    s = str(number).strip()
    if not s or len(s) > 40:
        return MALFORMED, ""
    d = _digits(s)
    if not d or len(d.lstrip("+")) < 3 or re.search(r"[a-zA-Z]", s.translate(CN_DIGITS).replace("ext", "")):
        return MALFORMED, ""
    plus = d.startswith("+")
    d = d.lstrip("+")
    if plus or d.startswith("00"):
        body = d[2:] if d.startswith("00") else d
        if body.startswith("86") and len(body) > 4:
            d = body[2:]
            if d[:1] in "23456789" and 9 <= len(d) <= 11:  # +86 21 5678 1234: the area code's 0 is dropped
                d = "0" + d
        else:
            return (FOREIGN if len(body) >= 5 else MALFORMED), ""
    elif d.startswith("86") and len(d) == 13:
        d = d[2:]
    if d.startswith("106"):
        if 8 <= len(d) <= 21:
            for p in sorted(PORT_CARRIERS, key=len, reverse=True):
                if d.startswith(p):
                    return PORT, PORT_CARRIERS[p]
            return PORT, ""
        return MALFORMED, ""
    if re.fullmatch(r"9[56][0-9]{3,6}", d):
        return SERVICE, ""
    if re.fullmatch(r"1[0-2][0-9]{3,6}", d):  # 10086, 10107888, 12378, 12321 …
        return SERVICE, ""
    if re.fullmatch(r"1[3-9][0-9]{9}", d):
        return (VIRTUAL if d.startswith(VIRTUAL_PREFIXES) else MOBILE), ""
    if re.fullmatch(r"[48]00[0-9]{7}", d):
        return TOLLFREE, ""
    if re.fullmatch(r"0[1-9][0-9]{1,2}(?:9[56][0-9]{3,4}|1[0-2][0-9]{3})", d):
        return SERVICE, ""  # area code + service number (021-95588, 010-12321, 010-96169)
    if re.fullmatch(r"0[1-9][0-9]{8,10}", d):
        # area code + 7/8 digits; an area code followed by a service number (021-95588) is a service number
        if re.fullmatch(r"0[1-9][0-9]{1,2}9[56][0-9]{3}", d):
            return SERVICE, ""
        return (LANDLINE if _valid_cn(d) else MALFORMED), ""
    if re.fullmatch(r"110|119|120|122|96110", d):
        return SERVICE, ""
    return MALFORMED, ""


def _valid_cn(d: str) -> bool:
    import phonenumbers

    try:
        n = phonenumbers.parse(d, "CN")
        # a number outside today's allocated ranges is still a number someone may ask you to call
        return phonenumbers.is_valid_number(n) or phonenumbers.is_possible_number(n)
    except phonenumbers.NumberParseException:
        return False


def canonical(number: str) -> str:
    """Digits of a number as the registry stores them (no +86/0086, no separators)."""
    d = _digits(number).lstrip("+")
    if d.startswith("0086"):
        d = d[4:]
    elif d.startswith("86") and len(d) == 13:
        d = d[2:]
    return d


# Candidates inside a text: digit groups joined by at most one space/dash, optional +.
_CAND = re.compile(r"(?<![0-9a-z])(\+?[0-9](?:[- ]?[0-9]){2,19})(?![0-9a-z])")
_EXCLUDE_BEFORE = re.compile(r"(?:订单|单号|编号|尾号|卡号|合同|流水|账号|账户|工号|批次|序号|身份证|证件|案号|户号|卡|号码为\*|验证码|校验码|动态码|密码|金额|额度|qq|扣扣|微信|vx|wx)[号码:：是为\s]*$")
_CN_RUN = re.compile(f"[{_CN_DIGIT_CHARS}]{{7,}}")


_UNIT_AFTER = ("元", "万", "%", "期", "天", "年", "月", "日", "号", "点", "时", "分", "笔", "个", "次", "条", "岁", "块", "小")


def _one(view: str, s: int, raw: str) -> Phone | None:
    e = s + len(raw)
    d = raw.replace(" ", "").replace("-", "")
    if len(d.lstrip("+")) < 5:
        return None
    nxt = view[e:e + 1]
    if nxt in _UNIT_AFTER and not d.startswith(("1", "0", "+", "4", "8", "9")):
        return None
    if nxt in _UNIT_AFTER and re.search(r"[ -][0-9]{1,2}$", raw):
        return None  # "95561 5月": the last group belongs to a date or a count
    if nxt in ("元", "万", "块") or view[max(0, s - 1):s] in ("￥", "¥", "$"):
        return None  # an amount, not a phone
    if nxt == "." and view[e + 1:e + 2].isdigit() or (s > 0 and view[s - 1] == "." and view[s - 2:s - 1].isdigit()):
        return None  # a decimal number (12500.15)
    if re.fullmatch(r"(19|20)[0-9]{2}", d) or re.fullmatch(r"20[0-9]{6}", d):
        return None  # years, dates written 20260520
    kind, _ = classify(raw)
    if kind == MALFORMED:
        return None
    if kind == SERVICE and not re.fullmatch(r"9[56][0-9]{3,6}|10[0-9]{3,6}|12[0-9]{3}|0[1-9][0-9]{1,2}-?(?:9[56][0-9]{3,4}|1[0-2][0-9]{3})|96110", d):
        return None
    return Phone(s, e, canonical(raw) if kind != FOREIGN else _digits(raw), kind)


_THREE_DIGITS = re.compile(r"[0-9][- ]?[0-9][- ]?[0-9]").search
_ANY_CN_DIGIT = re.compile("[零〇一二三四五六七八九幺]").search


def digit_view(text: str) -> str:
    """``text`` with runs of 7+ Chinese digits (一三八…) written as ASCII digits; same length,
    so spans stay aligned."""
    if _ANY_CN_DIGIT(text):
        return _CN_RUN.sub(lambda m: m.group(0).translate(CN_DIGITS), text)
    return text


_MASKED = re.compile(r"(?<![0-9a-z*×])(?:\+?86[ -]?)?(1[3-9][0-9])[ -]?([0-9*x×]{4})[ -]?([0-9*x×]{4})(?![0-9a-z*×])"
                     r"|(?<![0-9a-z*×])(0[1-9][0-9]{1,2})-?([0-9*x×]{3,4})-?([0-9*x×]{3,4})(?![0-9a-z*×])")


def masked(text: str) -> list[Phone]:
    """Numbers with hidden digits, as forwards and news quote them (138****5678, 021-****1234):
    whose number it is cannot be told, but it is a personal mobile or a landline to call."""
    out = []
    for m in _MASKED.finditer(text):
        head, a, b = m.group(1, 2, 3) if m.group(1) else m.group(4, 5, 6)
        hidden = sum(c in "*x×" for c in a + b)
        if hidden < 2 or (a + b)[-1] in "*x×" and hidden == len(a + b):
            continue  # no hidden digit, or nothing left to read
        kind = (VIRTUAL if head.startswith(VIRTUAL_PREFIXES) else MOBILE) if m.group(1) else LANDLINE
        out.append(Phone(m.start(), m.end(), head + a + b, kind))
    return out


def find(text: str) -> list[Phone]:
    """Phone numbers in normalised text (digits may be spaced, dashed or written in Chinese)."""
    view = digit_view(text)
    if not _THREE_DIGITS(view):  # every candidate has three digits, at most a space or dash apart
        return []
    out: list[Phone] = []
    for m in _CAND.finditer(view):
        s = m.start(1)
        raw = m.group(1).rstrip(" -")
        if _EXCLUDE_BEFORE.search(view[max(0, s - 8):s]):
            continue
        ph = _one(view, s, raw)
        if ph is None and (" " in raw or "-" in raw):
            # "95561 5月7日": the number ends before the space; try the shorter prefixes
            cuts = [i for i, c in enumerate(raw) if c in " -"]
            for c in reversed(cuts):
                ph = _one(view, s, raw[:c])
                if ph is not None:
                    break
        if ph is not None:
            out.append(ph)
    return out
