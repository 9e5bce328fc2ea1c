"""SMS signatures: 【name】 at the start or the end, [name] square brackets, "-name" trailers,
a malformed "name】" with the opening bracket missing. Found on the RAW text (structure lives
there) and returned as raw spans of the name inside the brackets."""
from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"[^【】\[\]\n]{2,24}"
_BRACKET = re.compile(rf"[【\[［〖]\s*({_NAME}?)\s*[】\]］〗]")
_MALFORMED = re.compile(r"^\s*([\u4e00-\u9fff][^【】\[\]\s]{1,14})】")
_DASH = re.compile(r"[-—－–]\s*([\u4e00-\u9fffA-Za-z]{2,14})\s*[。.!！]?\s*$")
_OPTOUT = re.compile(r"(?:回|回复|拒收请回复|退订回)[a-zA-Z]{1,6}(?:退订|拒收)?[。.]?\s*$")


# bracketed words of chat and SMS app UIs, not signatures
_UI_WORDS = frozenset({"输入短信", "图片", "语音", "表情", "视频", "文件", "链接", "位置", "红包", "转账", "动画表情", "短信", "彩信",
                       "转发", "复制", "删除", "已读", "未读", "草稿", "撤回", "系统消息", "通知", "截图", "微笑", "捂脸", "OK", "ok"})


@dataclass(frozen=True, slots=True)
class Signature:
    start: int   # raw span of the name (without brackets)
    end: int
    name: str
    style: str   # "start" | "end" | "square" | "dash" | "malformed" | "inline"


def find(raw: str) -> list[Signature]:
    out: list[Signature] = []
    stripped_end = len(raw.rstrip())
    # drop an opt-out trailer when looking for end signatures ("…【XX银行】回T退订")
    tail = _OPTOUT.search(raw[:stripped_end])
    end_limit = tail.start() if tail else stripped_end
    lead = len(raw) - len(raw.lstrip())
    for m in _BRACKET.finditer(raw):
        name = m.group(1).strip()
        if not name or len(name) < 2 or name.isdigit() or name in _UI_WORDS:
            continue
        if m.start() <= lead + 0:
            style = "start" if raw[m.start()] != "[" else "square"
        elif m.end() >= len(raw[:end_limit].rstrip(" 。.!！")):
            style = "end" if raw[m.start()] in "【〖" else "square"
        else:
            style = "inline"
        s = m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip()))
        out.append(Signature(s, s + len(name), name, style))
    if not any(s.style in ("start", "end", "square") for s in out):
        m = _MALFORMED.match(raw)
        if m:
            out.append(Signature(m.start(1), m.end(1), m.group(1), "malformed"))
        m = _DASH.search(raw[:end_limit])
        if m and not re.search(r"[0-9]$", raw[: m.start()].rstrip()):
            out.append(Signature(m.start(1), m.end(1), m.group(1), "dash"))
    return out
