"""Stage 2, extract: every entity of a normalised message, found once.

:func:`entities` runs the extractors of this package (links, numbers, cards, contacts, money,
dates, signatures, hidden characters) over a :class:`~verifier.normalize.Normalized` text and
returns them as one :class:`Entities`. Spans are in the normalised text, except where noted.
Nothing here knows the registry (stage 3, ``verifier.resolve``) or the predicates (stage 4,
``verifier.facts``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..literals import gate
from . import accounts, money_dates, phones, signatures, urls

# characters that change how text is shown without being shown: direction overrides and isolates,
# and zero-width / invisible format characters
_BIDI_CTRL = re.compile("[\u202a-\u202e\u2066-\u2069]")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad\u180e\u034f]")
INVISIBLE_RUN = 20  # this many invisible characters in one message is a way of hiding something

# an institution whose name was hidden by whoever quoted the message: XX银行, 【X银行】, 某金融, **平台
_PLACEHOLDER_ORG = re.compile(r"(?:xx|x|某某|某|\*{2,3}|×{2})(?:银行|金融|消费金融|信用卡|平台|公司|贷|法院|公安局?|派出所|检察院|分行|支行|app)")
# a pasted header naming the sender, at the start of a line ("发件人：95588", "来自 +95… 的短信");
# "号码：…" inside a message is a number to call, not the sender
_SENDER_IN_PASTE = re.compile(r"(?:^|\n)\s*(?:\[转发\]\s*)?(?:发件人|发信人|来自|短信来自|sender|from)\s*[:：]?\s*(\+?[0-9][0-9 \-]{2,22}[0-9])")
_MASK_CHARS = ("*", "x", "×")
_PLACEHOLDER_CAN = gate(_PLACEHOLDER_ORG)

Span = tuple[int, int]


@dataclass(frozen=True)
class Entities:
    sender: str | None                       # given, or read from a pasted "发件人：…" header
    sender_class: str | None                 # extract.phones class of the sender
    signatures: tuple[tuple[signatures.Signature, Span], ...]  # with their normalised spans
    urls: tuple[urls.Url, ...]
    phones: tuple[phones.Phone, ...]         # whole numbers, not inside a link or the pasted header
    masked_phones: tuple[phones.Phone, ...]  # 138****5678
    cards: tuple[accounts.Found, ...]
    masked_cards: tuple[accounts.Found, ...]  # 6222****1234
    placeholders: tuple[Span, ...]           # XX银行, 某平台
    qq: tuple[accounts.Found, ...]
    wechat: tuple[accounts.Found, ...]
    emails: tuple[accounts.Found, ...]
    alipay: tuple[accounts.Found, ...]
    amounts: tuple[money_dates.Span, ...]
    dates: tuple[money_dates.Span, ...]
    deadlines: tuple[money_dates.Span, ...]
    bidi: bool = False                       # direction controls in the raw text
    invisible: bool = False                  # a run of invisible characters in the raw text

    @property
    def signature_spans(self) -> tuple[Span, ...]:
        return tuple(span for _, span in self.signatures)


def pasted_sender(text: str) -> tuple[str, Span] | None:
    """The sender named by a pasted header at the top ("发件人：95588"), and its span."""
    m = _SENDER_IN_PASTE.search(text[:200])
    return (m.group(1), m.span(1)) if m else None


def _hidden_characters(raw: str, limit: int) -> tuple[bool, bool]:
    if raw.isascii() or raw[:limit].isprintable():  # only then look for hidden characters
        return False, False
    return bool(_BIDI_CTRL.search(raw, 0, limit)), len(_INVISIBLE.findall(raw, 0, limit)) >= INVISIBLE_RUN


def entities(norm, sender: str | None = None) -> Entities:
    """Everything stage 2 finds in ``norm`` (a Normalized); ``sender`` as given by the caller."""
    from ..normalize import MAX_CHARS, MAX_SCAN

    t = norm.text
    header = pasted_sender(t)
    if header and not sender:
        sender = header[0]
    sender = str(sender).strip() if sender not in (None, "") else None
    sigs = tuple((sg, span) for sg in signatures.find(norm.raw[:MAX_CHARS])
                 if (span := norm.from_raw(sg.start, sg.end)) is not None)
    found_urls = tuple(urls.find(t))
    skip = header[1] if header else (0, 0)
    found_phones = tuple(p for p in phones.find(t) if not any(u.start <= p.start < u.end for u in found_urls)
                         and not skip[0] <= p.start < skip[1])
    masking = any(c in t for c in _MASK_CHARS)
    bidi, invisible = _hidden_characters(norm.raw, MAX_SCAN)
    return Entities(
        sender=sender, sender_class=phones.classify(sender)[0] if sender else None, signatures=sigs,
        urls=found_urls, phones=found_phones, masked_phones=tuple(phones.masked(t)) if masking else (),
        cards=tuple(accounts.cards(t)), masked_cards=tuple(accounts.masked_cards(t)) if masking else (),
        placeholders=tuple(m.span() for m in _PLACEHOLDER_ORG.finditer(t)) if _PLACEHOLDER_CAN(t) else (),
        qq=tuple(accounts.qq_ids(t)), wechat=tuple(accounts.wechat_ids(t)), emails=tuple(accounts.emails(t)),
        alipay=tuple(accounts.alipay_accounts(t)), amounts=tuple(money_dates.amounts(t)),
        dates=tuple(money_dates.dates(t)), deadlines=tuple(money_dates.deadlines(t)),
        bidi=bidi, invisible=invisible,
    )
