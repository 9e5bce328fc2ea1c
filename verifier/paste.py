"""What users really paste: several messages at once, with the phone's UI around them.

``segments(raw)`` splits a paste into the messages it holds (raw spans, so evidence keeps
pointing at the original text). A new message starts at a line that opens with a 【signature】,
at a "发件人/来自" header, or after a separator line, when both sides are long enough to be
messages. UI lines (a clock, 复制/转发/删除, "帮我看看这条") are left inside the segment; the
normaliser and the rules ignore them.
"""
from __future__ import annotations

import re

MIN_SEGMENT = 12
_BOUNDARY = re.compile(
    r"(?:^|\n)[ \t]*(?="
    r"【[^】\n]{2,20}】"                      # a line that starts with a signature
    r"|(?:发件人|发信人|来自|短信来自)[:：]"      # a phone UI header
    r"|(?:第[一二三四五六七八九十0-9]+条)[:：]?"   # "第二条："
    r")"
    r"|\n[ \t]*[-=_—*]{3,}[ \t]*(?=\n)"         # a separator line
)


_UI = re.compile(
    r"(?:发件人|发信人|来自|短信来自)[:：]\s*[+0-9 -]*|[0-9]{1,2}:[0-9]{2}|今天|昨天|前天|星期[一二三四五六日天]|周[一二三四五六日]"
    r"|复制|转发|删除|更多|回复|帮我看看(?:这条)?|是真的吗|这条|短信|[:：\s\n,，。?？!！]"
)


def _ui_only(piece: str) -> bool:
    return len(_UI.sub("", piece)) < MIN_SEGMENT


def segments(raw: str) -> list[tuple[int, int]]:
    """Raw spans of the messages in a paste; one span (the whole text) when it is one message."""
    if "\n" not in raw:
        return [(0, len(raw))]
    cuts = [0]
    for m in _BOUNDARY.finditer(raw):
        p = m.start() if raw[m.start():m.start() + 1] != "\n" else m.start() + 1
        if p > cuts[-1]:
            cuts.append(p)
    cuts.append(len(raw))
    spans: list[tuple[int, int]] = []
    carry = None  # a UI-only piece (header, clock) belongs to the message after it
    for a, b in zip(cuts, cuts[1:]):
        if carry is not None:
            a, carry = carry, None
        piece = raw[a:b]
        if _ui_only(piece):
            if b < len(raw):
                carry = a
            elif spans:
                spans[-1] = (spans[-1][0], b)
            else:
                spans.append((a, b))
            continue
        spans.append((a, b))
    spans = [(a, b) for a, b in spans if raw[a:b].strip()]
    return spans or [(0, len(raw))]
