"""Stage 4, facts: what the entities and their owners say, as predicates with spans.

A fact is a predicate from ``vocabulary.PREDICATES`` with the normalised spans that show it
(none for facts about the sender or the time). The tables below say which entity gives which
predicate; the few facts that need a decision (who claims to be whom, whose link it is) have a
small function each. Rules (stage 5) test these predicates in ``when`` / ``when_not``.
"""
from __future__ import annotations

from datetime import datetime

from .extract import Entities, phones, urls
from .resolve import Resolution, ownership

Facts = dict[str, list[tuple[int, int]]]

# an entity list of Entities → the predicates each of its items shows
ENTITY_FACTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cards", ("card.number",)),
    ("masked_cards", ("card.number", "card.masked")),
    ("placeholders", ("placeholder.institution",)),
    ("qq", ("contact.qq",)),
    ("wechat", ("contact.wechat",)),
    ("emails", ("contact.email",)),
    ("alipay", ("account.alipay",)),
    ("amounts", ("amount.any",)),
    ("dates", ("date.any",)),
    ("deadlines", ("deadline.short",)),
)
# the kind of a number in the text, and of the sender
PHONE_KIND = {phones.MOBILE: "phone.mobile", phones.VIRTUAL: "phone.mobile", phones.LANDLINE: "phone.landline",
              phones.TOLLFREE: "phone.tollfree", phones.FOREIGN: "phone.foreign"}
SENDER_KIND = {phones.SERVICE: "sender.service", phones.PORT: "sender.port", phones.MOBILE: "sender.mobile",
               phones.VIRTUAL: "sender.virtual", phones.FOREIGN: "sender.foreign", phones.LANDLINE: "sender.landline",
               phones.TOLLFREE: "sender.tollfree", phones.MALFORMED: "sender.malformed"}
# traits of a link, each a predicate of its own
URL_TRAITS = (("url.ip", lambda u: u.is_ip), ("url.shortener", urls.is_shortener),
              ("url.odd_tld", urls.is_odd_tld), ("url.idn", lambda u: bool(u.idn)))
NIGHT = (22, 8)  # collection between 22:00 and 08:00 is at night


class _Facts(dict):
    def add(self, pred: str, span: tuple[int, int] | None = None) -> None:
        lst = self.setdefault(pred, [])
        if span is not None:
            lst.append(span)


def _lender_facts(f: _Facts, who: Resolution) -> None:
    named = who.lender_names
    for h in named:
        f.add("lender.named", (h.start, h.end))
        if h.lender.licensed:
            f.add("lender.licensed", (h.start, h.end))
    if not named and not any(s.lender is not None and s.lender.is_lender for s in who.signatures):
        f.add("lender.none")  # no registry lender named or signed (a 【泛称】 signature names nobody)
    for s in who.signatures:
        f.add("signature.present", s.span)
        L = s.lender
        if L is not None:
            f.add("signature.known", s.span)
            if L.is_lender and not any(h.lender.id == L.id for h in named):
                f.add("lender.named", s.span)
                if L.licensed:
                    f.add("lender.licensed", s.span)
        if s.never is not None:  # a signature the lender says it never uses (【美团金融】)
            f.add("signature.never_used", s.span)
        elif L is None:
            f.add("signature.unknown", s.span)


def _link_and_number_facts(f: _Facts, found: Entities, who: Resolution) -> None:
    for u, owner, lookalike in zip(found.urls, who.url_owners, who.url_lookalikes):
        sp = (u.start, u.end)
        f.add("url.any", sp)
        f.add(f"url.{ownership(owner, who.claimed)}", sp)
        if lookalike:
            f.add("url.lookalike", sp)
        for pred, has in URL_TRAITS:
            if has(u):
                f.add(pred, sp)
    for p, owner in zip(found.phones, who.phone_owners):
        sp = (p.start, p.end)
        f.add("phone.any", sp)
        f.add(f"phone.{ownership(owner, who.claimed)}", sp)
        if p.kind in PHONE_KIND:
            f.add(PHONE_KIND[p.kind], sp)
    for p in found.masked_phones:  # 138****5678: whose number it is cannot be told
        sp = (p.start, p.end)
        for pred in ("phone.any", "phone.masked", "phone.unknown"):
            f.add(pred, sp)
        f.add("phone.mobile" if p.kind in (phones.MOBILE, phones.VIRTUAL) else "phone.landline", sp)


def _entity_facts(f: _Facts, found: Entities) -> None:
    for attr, preds in ENTITY_FACTS:
        for x in getattr(found, attr):
            sp = x if isinstance(x, tuple) else (x.start, x.end)
            for pred in preds:
                f.add(pred, sp)


def _sender_facts(f: _Facts, found: Entities, who: Resolution) -> None:
    if not found.sender:
        return
    f.add("sender.given")
    f.add(SENDER_KIND[found.sender_class])
    owner, claimed = who.sender_owner, who.claimed
    if owner is not None and (claimed is None or owner.id == claimed.id):
        f.add("sender.official")
    if found.sender_class == phones.FOREIGN and claimed is not None and claimed.never_foreign_sender:
        f.add("sender.foreign_never")  # the named lender says it never sends from abroad


def _time_facts(f: _Facts, when: datetime | None, burst: bool, debt: bool) -> None:
    """Night and bursts are signs of harassment only in COLLECTION: a bill at 23:00 is not."""
    if when is not None:
        f.add("time.given")
        if (when.hour >= NIGHT[0] or when.hour < NIGHT[1]) and debt:
            f.add("time.night")
    if burst and debt:
        f.add("time.burst")


def facts_of(found: Entities, who: Resolution, debt_spans, when: datetime | None, burst: bool) -> Facts:
    """All predicates of a message; ``debt_spans`` are its debt words (the ``debt_words`` phrase set)."""
    f = _Facts()
    _lender_facts(f, who)
    _link_and_number_facts(f, found, who)
    _entity_facts(f, found)
    for sp in debt_spans:
        f.add("about.debt", sp)
    if found.bidi:
        f.add("text.bidi")
    if found.invisible:
        f.add("text.invisible")
    _sender_facts(f, found, who)
    _time_facts(f, when, burst, "about.debt" in f or who.claimed is not None)
    return dict(f)
