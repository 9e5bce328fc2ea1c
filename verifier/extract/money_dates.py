"""Money amounts, dates and deadlines in normalised text."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..literals import gate

_NUM = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?|[0-9]+(?:\.[0-9]{1,2})?"
_AMOUNT = re.compile(
    rf"(?:(?:[￥¥$]|rmb|人民币)\s?(?:{_NUM})(?:\s?(?:万元|万|元))?"
    rf"|(?<![0-9.,])(?:{_NUM})\s?(?:万元|元整|元|块钱|块|万(?![0-9]))"
    rf"|[一二两三四五六七八九十百千万]+(?:元|块钱))"
)
_DATE = re.compile(
    r"(?:20[0-9]{2}[-/年.][0-9]{1,2}[-/月.][0-9]{1,2}日?"
    r"|(?<![0-9])[0-9]{1,2}月[0-9]{1,2}[日号]"
    r"|(?<![0-9])[0-9]{1,2}/[0-9]{1,2}(?![0-9/])"
    r"|本月[0-9]{1,2}[日号]|下月[0-9]{1,2}[日号]|每月[0-9]{1,2}[日号]"
    r"|(?:今日|今天|明日|明天|后天|本周[一二三四五六日天])(?:[上下中]午)?(?:[0-9]{1,2}[点:时](?:[0-9]{2}分?)?)?)"
)
_DEADLINE = re.compile(
    r"(?:(?:[0-9]{1,2}|[一两二三四五六七八九十]{1,3})(?:个)?(?:小时|钟头)(?:之?内|前|后)"
    r"|(?:24|48|72)(?:个)?小时"
    r"|(?:今日|今天|当天|当日|明日|明天|今晚|今天?下午|今天?中午|今天?上午)?(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})[点时:](?:[0-9]{2}分?|半)?(?:之?前|以前)"
    r"|(?:今日|今天|当天|当日)(?:之?内|内|下班前|24点前)"
    r"|立即|马上|立刻|尽快)"
)
_YEAR_ONLY = re.compile(r"^(?:19|20)[0-9]{2}$")
_AMOUNT_CAN, _DATE_CAN, _DEADLINE_CAN = gate(_AMOUNT), gate(_DATE), gate(_DEADLINE)  # False: cannot match


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


def amounts(text: str) -> list[Span]:
    if not _AMOUNT_CAN(text):
        return []
    out = []
    for m in _AMOUNT.finditer(text):
        t = m.group(0)
        if _YEAR_ONLY.match(t.rstrip("元块万钱")):
            continue
        out.append(Span(m.start(), m.end(), t))
    return out


def dates(text: str) -> list[Span]:
    if not _DATE_CAN(text):
        return []
    return [Span(m.start(), m.end(), m.group(0)) for m in _DATE.finditer(text)]


def deadlines(text: str) -> list[Span]:
    """Short deadlines (within hours / today before X o'clock); 立即/尽快 count only as pressure words."""
    if not _DEADLINE_CAN(text):
        return []
    out = []
    for m in _DEADLINE.finditer(text):
        t = m.group(0)
        if t in ("立即", "马上", "立刻", "尽快"):
            continue
        out.append(Span(m.start(), m.end(), t))
    return out
