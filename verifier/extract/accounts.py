"""Bank-card numbers, card tails, QQ / WeChat IDs and reply codes in normalised text."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..literals import gate

_CARD = re.compile(r"(?<![0-9])((?:[0-9]{4}[ -]?){3}[0-9]{4}(?:[ -]?[0-9]{1,3})?|[0-9]{16,19})(?![0-9])")
_CARD_TAIL = re.compile(r"(?:尾号|末四位|末4位|后四位|卡号后四位)[为是:]?\s?([0-9*]{3,6})")
# a card number as screenshots and forwards show it: 6222****1234, 6217 xxxx xxxx 5521, 62××…3321
_MASKED_CARD = re.compile(r"(?<![0-9a-z*×])((?:62|4[0-9]|5[1-5]|3[0-9]|9[0-9])[0-9]{2,4}[ -]?(?:[*x×][ -]?){4,12}[0-9]{3,4})(?![0-9*×])")
_QQ = re.compile(r"(?:qq|扣扣|企鹅|q群|qq群)[号群码]?[:：为是]?\s?([1-9][0-9]{4,11})(?![0-9])")
_WECHAT = re.compile(
    r"(?:微信|weixin|wechat|vx|wx|v信|威信|薇信|徽信|维信|卫星|v x|加v|\+v|加微)[号:：为是]?\s?"
    r"(?:号|id)?[:：]?\s?([a-z][-_a-z0-9]{5,19}|1[3-9][0-9]{9})(?![a-z0-9_-])"
)
_EMAIL = re.compile(r"(?<![a-z0-9._%+-])([a-z0-9._%+-]{2,40}@[a-z0-9-]{1,40}(?:\.[a-z0-9-]{1,20}){1,3})(?![a-z0-9-])")
_ALIPAY = re.compile(r"(?:支付宝|alipay|zfb)(?:账号|账户|帐号|号)?[:：为是]?\s?(?:转(?:账|入|到)?(?:至|到)?)?\s?"
                     r"([a-z0-9._%+-]{2,40}@[a-z0-9-]{1,40}(?:\.[a-z0-9-]{1,20}){1,3}|1[3-9][0-9]{9})")
_REPLY = re.compile(r"(?:回复?|短信回复|编辑短信)\s?([a-z]{1,6}(?:\+?[0-9]{0,4})?)(?![a-z])")

# each False only when its regex cannot match the text; a card always has four digits in a row
_CARD_CAN = re.compile(r"[0-9]{4}").search
_QQ_CAN, _WECHAT_CAN, _EMAIL_CAN, _ALIPAY_CAN = gate(_QQ), gate(_WECHAT), gate(_EMAIL), gate(_ALIPAY)

@dataclass(frozen=True, slots=True)
class Found:
    start: int
    end: int
    value: str


def _luhn_ok(d: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(d)):
        n = ord(c) - 48
        if i % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def cards(text: str) -> list[Found]:
    from .phones import digit_view

    text = digit_view(text)  # 六二一七… written out in Chinese digits
    if not _CARD_CAN(text):
        return []
    out = []
    for m in _CARD.finditer(text):
        d = re.sub(r"[ -]", "", m.group(1))
        if not 16 <= len(d) <= 19:
            continue
        before = text[max(0, m.start() - 8):m.start()]
        if re.search(r"(?:订单|单号|编号|合同|流水|案号|身份证|证件|批次|交易号)[号码:：是为]*$", before):
            continue
        if not (d.startswith(("62", "4", "5", "3", "9")) or _luhn_ok(d)):
            continue
        out.append(Found(m.start(1), m.end(1), d))
    return out


def masked_cards(text: str) -> list[Found]:
    """Card numbers with their middle digits hidden (6222****1234): still a card to pay into."""
    out = []
    for m in _MASKED_CARD.finditer(text):
        body = re.sub(r"[ -]", "", m.group(1))
        if 12 <= len(body) <= 19:
            out.append(Found(m.start(1), m.end(1), body))
    return out


def card_tails(text: str) -> list[Found]:
    return [Found(m.start(1), m.end(1), m.group(1)) for m in _CARD_TAIL.finditer(text)]


def qq_ids(text: str) -> list[Found]:
    if not _QQ_CAN(text):
        return []
    return [Found(m.start(1), m.end(1), m.group(1)) for m in _QQ.finditer(text)]


def wechat_ids(text: str) -> list[Found]:
    if not _WECHAT_CAN(text):
        return []
    return [Found(m.start(1), m.end(1), m.group(1)) for m in _WECHAT.finditer(text)]


def emails(text: str) -> list[Found]:
    if not _EMAIL_CAN(text):
        return []
    return [Found(m.start(1), m.end(1), m.group(1)) for m in _EMAIL.finditer(text)]


def alipay_accounts(text: str) -> list[Found]:
    """An Alipay account (e-mail or phone) written next to 支付宝: a personal collection account."""
    if not _ALIPAY_CAN(text):
        return []
    return [Found(m.start(1), m.end(1), m.group(1)) for m in _ALIPAY.finditer(text)]


def reply_codes(text: str) -> list[Found]:
    return [Found(m.start(1), m.end(1), m.group(1)) for m in _REPLY.finditer(text)]
