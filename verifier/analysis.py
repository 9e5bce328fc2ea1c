"""The one pass over a message, stage by stage: normalise → extract → registry → rules.

This is the only module that knows the order. ``analyze`` returns an :class:`Analysis`, the
input of both the model's features (features.py) and the explanation (explain.py).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from .extract import accounts, money_dates, phones, signatures, urls
from .normalize import MAX_CHARS, MAX_SCAN, Normalized, normalize
from .registry import Lender, NameHit, Registry
from .rules.engine import Doc, Hit, RuleSet
from .timeline import parse_time

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


@dataclass(frozen=True)
class Analysis:
    norm: Normalized
    sender: str | None
    sender_class: str | None
    sender_owner: Lender | None
    received_at: datetime | None
    lender: Lender | None                # the lender the message claims to be from
    names: tuple[NameHit, ...]
    signatures: tuple[tuple[signatures.Signature, tuple[int, int], Lender | None], ...]
    urls: tuple[urls.Url, ...]
    phones: tuple[phones.Phone, ...]
    facts: dict = field(default_factory=dict)  # predicate -> list of normalised spans
    hits: tuple[Hit, ...] = ()
    masked: str = ""                     # normalised text with entities replaced, for n-grams

    @property
    def text(self) -> str:
        return self.norm.text

    @property
    def about_debt(self) -> bool:
        """Is the message about a loan or a debt (debt words, or a lender it claims to be from)?"""
        return "about.debt" in self.facts or self.lender is not None


def from_raw(norm: Normalized, a: int, b: int) -> tuple[int, int] | None:
    """The normalised span covering raw [a, b), or None when it was all dropped."""
    s = bisect.bisect_left(norm.ends, a + 1)
    e = bisect.bisect_left(norm.starts, b)
    if s >= e:
        return None
    return s, e


class Analyzer:
    """Holds what is built once (registry, rules) and runs the stages for one message."""

    def __init__(self, registry: Registry, rules: RuleSet):
        self.registry = registry
        self.rules = rules

    def analyze(self, text: str, sender: str | None = None, received_at=None, burst: bool = False) -> Analysis:
        norm = normalize(text)
        t = norm.text
        reg = self.registry

        pasted_sender = None  # the span of a "发件人：…" header, which is not a number in the message
        m = _SENDER_IN_PASTE.search(t[:200])
        if m:
            pasted_sender = m.span(1)
            if not sender:
                sender = m.group(1)
        sender = str(sender).strip() if sender not in (None, "") else None

        # ---- entities ----
        names = tuple(reg.find_names(t))
        sigs = []
        for sg in signatures.find(norm.raw[:MAX_CHARS]):
            span = from_raw(norm, sg.start, sg.end)
            if span is None:
                continue
            sigs.append((sg, span, reg.lookup_name(t[span[0]:span[1]])))
        found_urls = tuple(urls.find(t))
        found_phones = tuple(p for p in phones.find(t) if not any(u.start <= p.start < u.end for u in found_urls)
                             and not (pasted_sender and pasted_sender[0] <= p.start < pasted_sender[1]))
        hidden_phones = tuple(phones.masked(t)) if ("*" in t or "x" in t or "×" in t) else ()

        # ---- who does the message claim to be? signature first, then the first lender named ----
        lender = next((L for _, _, L in sigs if L is not None and L.is_lender), None)
        if lender is None:
            lender = next((h.lender for h in names if h.lender.is_lender), None)
        sender_class = sender_owner = None
        if sender:
            sender_class, _ = phones.classify(sender)
            sender_owner = reg.sender_owner(phones.canonical(sender)) if sender_class != phones.MALFORMED else None

        f: dict[str, list[tuple[int, int]]] = {}

        def add(pred: str, span: tuple[int, int] | None = None) -> None:
            lst = f.setdefault(pred, [])
            if span is not None:
                lst.append(span)

        lender_hits = [h for h in names if h.lender.is_lender]
        for h in lender_hits:
            add("lender.named", (h.start, h.end))
            if h.lender.licensed:
                add("lender.licensed", (h.start, h.end))
        if not lender_hits and not any(L is not None and L.is_lender for _, _, L in sigs):
            add("lender.none")  # no registry lender named or signed (a 【泛称】 signature names nobody)
        for sg, span, L in sigs:
            add("signature.present", span)
            if L is not None:
                add("signature.known", span)
                if not any(h.lender.id == L.id for h in lender_hits) and L.is_lender:
                    add("lender.named", span)
                    if L.licensed:
                        add("lender.licensed", span)
            never = reg.never_signature_of(t[span[0]:span[1]])
            if never is not None:  # a signature the lender says it never uses (【美团金融】)
                add("signature.never_used", span)
                if L is None:
                    lender = lender or never
            elif L is None:
                add("signature.unknown", span)

        for u in found_urls:
            sp = (u.start, u.end)
            add("url.any", sp)
            whose = _ownership(reg.domain_owner(u.domain), lender)
            add(f"url.{whose}", sp)
            if whose == "unknown" and reg.lookalike(u) is not None:
                add("url.lookalike", sp)
            if u.is_ip:
                add("url.ip", sp)
            if urls.is_shortener(u):
                add("url.shortener", sp)
            if urls.is_odd_tld(u):
                add("url.odd_tld", sp)
            if u.idn:
                add("url.idn", sp)

        for p in found_phones:
            sp = (p.start, p.end)
            add("phone.any", sp)
            add(f"phone.{_ownership(reg.by_number(p.digits), lender)}", sp)
            kind_pred = {phones.MOBILE: "phone.mobile", phones.VIRTUAL: "phone.mobile", phones.LANDLINE: "phone.landline",
                         phones.TOLLFREE: "phone.tollfree", phones.FOREIGN: "phone.foreign"}.get(p.kind)
            if kind_pred:
                add(kind_pred, sp)

        for p in hidden_phones:
            sp = (p.start, p.end)
            add("phone.any", sp)
            add("phone.masked", sp)
            add("phone.unknown", sp)  # whose number it is cannot be told
            add("phone.mobile" if p.kind in (phones.MOBILE, phones.VIRTUAL) else "phone.landline", sp)
        for c in accounts.cards(t):
            add("card.number", (c.start, c.end))
        if hidden_phones or "*" in t or "x" in t or "×" in t:
            for c in accounts.masked_cards(t):
                add("card.number", (c.start, c.end))
                add("card.masked", (c.start, c.end))
        for m in _PLACEHOLDER_ORG.finditer(t):
            add("placeholder.institution", m.span())
        for sp in self.rules.phrase_spans("debt_words", t):
            add("about.debt", sp)
        raw = norm.raw
        if not raw.isascii() and not raw[:MAX_SCAN].isprintable():  # only then look for hidden characters
            if _BIDI_CTRL.search(raw, 0, MAX_SCAN):
                add("text.bidi")
            if len(_INVISIBLE.findall(raw, 0, MAX_SCAN)) >= INVISIBLE_RUN:
                add("text.invisible")
        for q in accounts.qq_ids(t):
            add("contact.qq", (q.start, q.end))
        for w in accounts.wechat_ids(t):
            add("contact.wechat", (w.start, w.end))
        for m in accounts.emails(t):
            add("contact.email", (m.start, m.end))
        for m in accounts.alipay_accounts(t):
            add("account.alipay", (m.start, m.end))
        amts = money_dates.amounts(t)
        for a in amts:
            add("amount.any", (a.start, a.end))
        for d in money_dates.dates(t):
            add("date.any", (d.start, d.end))
        for d in money_dates.deadlines(t):
            add("deadline.short", (d.start, d.end))

        if sender:
            add("sender.given")
            pred = {phones.SERVICE: "sender.service", phones.PORT: "sender.port", phones.MOBILE: "sender.mobile",
                    phones.VIRTUAL: "sender.virtual", phones.FOREIGN: "sender.foreign", phones.LANDLINE: "sender.landline",
                    phones.TOLLFREE: "sender.tollfree", phones.MALFORMED: "sender.malformed"}[sender_class]
            add(pred)
            if sender_owner is not None and (lender is None or sender_owner.id == lender.id):
                add("sender.official")
            if sender_class == phones.FOREIGN and lender is not None and lender.never_foreign_sender:
                add("sender.foreign_never")  # the named lender says it never sends from abroad
        when = parse_time(received_at)
        debt = "about.debt" in f or lender is not None
        if when is not None:
            add("time.given")
            if (when.hour >= 22 or when.hour < 8) and debt:  # night-time COLLECTION: a bill at 23:00 is not
                add("time.night")
        if burst and debt:
            add("time.burst")

        sig_spans = tuple(span for _, span, _ in sigs)
        hits = tuple(self.rules.run(Doc(t, f, sig_spans)))
        masked = _mask(t, found_urls, found_phones, amts)
        return Analysis(
            norm=norm, sender=sender, sender_class=sender_class, sender_owner=sender_owner, received_at=when,
            lender=lender or (sender_owner if sender_owner is not None and sender_owner.is_lender else None),
            names=names, signatures=tuple(sigs), urls=found_urls, phones=found_phones, facts=f, hits=hits, masked=masked,
        )


def _ownership(owner: Lender | None, lender: Lender | None) -> str:
    """Whose contact is it? "official": the claimed lender's (or any registry lender's when none is
    claimed, or a regulator's); "other_lender": another lender's; "unknown": nobody's."""
    if owner is None:
        return "unknown"
    if lender is None or owner.id == lender.id or not owner.is_lender:
        return "official"
    return "other_lender"


_DIGITS = re.compile(r"[0-9]+")


def _mask(t: str, us, ps, amts) -> str:
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


@lru_cache(maxsize=1)
def default() -> Analyzer:
    from . import registry, rules

    return Analyzer(registry.default(), rules.default())
