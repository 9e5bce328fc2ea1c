"""Stage 3, resolve: whose are the names, signatures, links and numbers the message contains?

Every registry look-up of a message happens here, once: the lenders named, each signature's
owner (or the lender that says it never signs that way), the lender the message claims to be
from, the owner of the sending number, and the owner of every link and phone number. The
result is a :class:`Resolution`; stage 4 (``verifier.facts``) turns it into predicates.
"""
from __future__ import annotations

from dataclasses import dataclass

from .extract import Entities, Span, phones
from .registry import Lender, NameHit, Registry


@dataclass(frozen=True)
class SignatureOwner:
    span: Span
    lender: Lender | None       # the registry entry the signature names, if any
    never: Lender | None        # the lender that says it never signs this way (【美团金融】)


@dataclass(frozen=True)
class Resolution:
    names: tuple[NameHit, ...]           # registry names in the text
    signatures: tuple[SignatureOwner, ...]
    claimed: Lender | None               # who the text says it is from: signature, then name
    sender_owner: Lender | None          # whose sending number it is (when a sender is given)
    url_owners: tuple[Lender | None, ...]      # per Entities.urls
    url_lookalikes: tuple[bool, ...]           # per Entities.urls: made to look like a lender's
    phone_owners: tuple[Lender | None, ...]    # per Entities.phones

    @property
    def lender(self) -> Lender | None:
        """The lender the message is from: the one it claims, else the owner of its sender."""
        if self.claimed is not None:
            return self.claimed
        return self.sender_owner if self.sender_owner is not None and self.sender_owner.is_lender else None

    @property
    def lender_names(self) -> tuple[NameHit, ...]:
        return tuple(h for h in self.names if h.lender.is_lender)


def ownership(owner: Lender | None, lender: Lender | None) -> str:
    """Whose contact is it? "official": the claimed lender's (or any registry lender's when none is
    claimed, or a regulator's); "other_lender": another lender's; "unknown": nobody's."""
    if owner is None:
        return "unknown"
    if lender is None or owner.id == lender.id or not owner.is_lender:
        return "official"
    return "other_lender"


def resolve(text: str, found: Entities, reg: Registry) -> Resolution:
    """Registry look-ups for the normalised ``text`` and its entities."""
    names = tuple(reg.find_names(text))
    sigs = []
    for _, (a, b) in found.signatures:
        L = reg.lookup_name(text[a:b])
        sigs.append(SignatureOwner((a, b), L, reg.never_signature_of(text[a:b])))
    claimed = next((s.lender for s in sigs if s.lender is not None and s.lender.is_lender), None)
    if claimed is None:
        claimed = next((h.lender for h in names if h.lender.is_lender), None)
    if claimed is None:  # a signature the lender says it never uses still says who it claims to be
        claimed = next((s.never for s in sigs if s.never is not None and s.lender is None), None)
    sender_owner = None
    if found.sender and found.sender_class != phones.MALFORMED:
        sender_owner = reg.sender_owner(phones.canonical(found.sender))
    owners = tuple(reg.domain_owner(u.domain) for u in found.urls)
    return Resolution(
        names=names, signatures=tuple(sigs), claimed=claimed, sender_owner=sender_owner, url_owners=owners,
        url_lookalikes=tuple(o is None and reg.lookalike(u) is not None for u, o in zip(found.urls, owners)),
        phone_owners=tuple(reg.by_number(p.digits) for p in found.phones),
    )
