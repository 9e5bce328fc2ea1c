"""The lender registry: who a message claims to be, and whether its contacts are theirs.

Loaded once from ``data/registry/*.toml``; lookups by name/alias/product/signature (longest match
over the normalised text, one Aho-Corasick pass), by hotline digits, by domain, by sender.
"""
from __future__ import annotations

import re

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .extract import urls as _urls
from .extract.phones import canonical
from .normalize import normalize
from .vocabulary import KINDS, LENDER_KINDS

_FIELDS = {"id", "name", "short", "kind", "licensed", "aliases", "products", "signatures", "never_signatures",
           "hotlines", "sms_senders", "domains", "apps", "never_foreign_sender", "sources", "notes"}


class RegistryError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Lender:
    id: str
    name: str
    short: str
    kind: str
    licensed: bool = False
    aliases: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    signatures: tuple[str, ...] = ()
    never_signatures: tuple[str, ...] = ()
    hotlines: tuple[str, ...] = ()
    sms_senders: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    apps: tuple[str, ...] = ()
    never_foreign_sender: bool = False
    sources: tuple[str, ...] = ()
    notes: str = ""

    @property
    def is_lender(self) -> bool:
        return self.kind in LENDER_KINDS

    def names(self) -> tuple[str, ...]:
        return (self.short, self.name, *self.aliases, *self.products, *self.signatures)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "name": self.name, "short": self.short, "kind": self.kind, "licensed": self.licensed,
            "hotlines": list(self.hotlines), "domains": list(self.domains), "apps": list(self.apps),
        }


@dataclass(frozen=True, slots=True)
class NameHit:
    start: int  # normalised span
    end: int
    lender: Lender
    matched: str


@dataclass
class Registry:
    lenders: dict[str, Lender]
    _automaton: object = field(repr=False, default=None)
    by_name: dict[str, str] = field(default_factory=dict)       # normalised name -> id
    by_hotline: dict[str, str] = field(default_factory=dict)
    by_domain: dict[str, str] = field(default_factory=dict)
    by_sender: dict[str, str] = field(default_factory=dict)
    never_sig: dict[str, str] = field(default_factory=dict)     # normalised signature -> id of the lender that never uses it
    brands: dict[str, str] = field(default_factory=dict)        # ascii brand token -> id (for look-alikes)
    _memo: dict = field(default_factory=dict, repr=False)       # lookups repeat across messages

    # ---- building -------------------------------------------------------------------------
    @classmethod
    def from_entries(cls, entries: list[dict], origin: str = "<registry>") -> "Registry":
        import ahocorasick

        lenders: dict[str, Lender] = {}
        for i, e in enumerate(entries):
            where = f"{origin}: entry {i + 1} ({e.get('id', '?') if isinstance(e, dict) else '?'})"
            L = _entry(e, where)
            if L.id in lenders:
                raise RegistryError(f"{where}: duplicate id")
            lenders[L.id] = L
        reg = cls(lenders)
        for lid, L in lenders.items():
            reg._index(lid, L, origin)
        auto = ahocorasick.Automaton()
        for key, lid in reg.by_name.items():
            auto.add_word(key, (len(key), lid, key))
        for key, lid in reg.never_sig.items():
            if key not in reg.by_name:
                auto.add_word(key, (len(key), lid, key))
        if len(auto):
            auto.make_automaton()
        reg._automaton = auto
        return reg

    def _index(self, lid: str, L: Lender, origin: str) -> None:
        """Index one entry's names, signatures, numbers, domains and brand tokens."""
        for nm in L.names():
            key = normalize(nm).text
            if len(key) < 2:
                continue
            other = self.by_name.get(key)
            if other and other != lid:
                raise RegistryError(f"{origin}: name '{nm}' points to both '{other}' and '{lid}'")
            self.by_name[key] = lid
        for nm in L.never_signatures:
            self.never_sig[normalize(nm).text] = lid
        for h in L.hotlines:
            self.by_hotline[canonical(h)] = lid
        for s in L.sms_senders:
            self.by_sender[canonical(s)] = lid
        for d in L.domains:
            # registry domains are registrable domains (eTLD+1; tests/test_registry.py checks),
            # so no suffix-list parsing is needed at load
            reg_dom = d.lower().strip()
            self.by_domain[reg_dom] = lid
            label = reg_dom.split(".", 1)[0]
            if len(label) >= 2:
                self.brands.setdefault(label, lid)
        for a in (*L.aliases, *L.products):
            a2 = a.lower()
            if a2.isascii() and a2.isalnum() and len(a2) >= 3 and " " not in a2:
                self.brands.setdefault(a2, lid)
        for h in L.hotlines:
            c = canonical(h)
            if len(c) == 5 and c.startswith("95"):
                self.brands.setdefault(c, lid)

    # ---- lookups ---------------------------------------------------------------------------
    def find_names(self, text: str) -> list[NameHit]:
        """Registry names in normalised text, longest first, no overlaps."""
        auto = self._automaton
        if auto is None or not len(auto) or not text:
            return []
        cands = []
        for end, (n, lid, key) in auto.iter(text):
            s = end - n + 1
            cands.append((s, end + 1, lid, key))
        cands.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        taken: list[tuple[int, int]] = []
        out = []
        for s, e, lid, key in cands:
            if any(s < b and a < e for a, b in taken):
                continue
            if _embedded_in_ascii_word(text, s, e):
                continue
            taken.append((s, e))
            out.append(NameHit(s, e, self.lenders[lid], key))
        out.sort(key=lambda h: h.start)
        return out

    def _memoized(self, kind: str, arg: str, compute):
        """Lookups repeat across messages (the same signatures, senders, domains): keep them."""
        key = (kind, arg)
        try:
            return self._memo[key]
        except KeyError:
            if len(self._memo) > 50_000:
                self._memo.clear()
            value = self._memo[key] = compute(arg)
            return value

    def lookup_name(self, name: str) -> Lender | None:
        return self._memoized("name", name, self._lookup_name)

    def _lookup_name(self, name: str) -> Lender | None:
        lid = self.by_name.get(normalize(name).text)
        if lid:
            return self.lenders[lid]
        # a signature like "招商银行信用卡中心": the longest registry name inside it
        hits = self.find_names(normalize(name).text)
        if hits:
            return max(hits, key=lambda h: h.end - h.start).lender
        return None

    def never_signature_of(self, name: str) -> Lender | None:
        lid = self._memoized("never", name, lambda n: self.never_sig.get(normalize(n).text))
        return self.lenders[lid] if lid else None

    def by_number(self, digits: str) -> Lender | None:
        lid = self.by_hotline.get(digits) or self.by_sender.get(digits)
        if not lid and len(digits) > 8 and digits.startswith("0"):
            # area code + service number (021-95588)
            for n in (5, 6):
                lid = self.by_hotline.get(digits[-n:]) if digits[-n:].startswith("95") else None
                if lid:
                    break
        return self.lenders[lid] if lid else None

    def sender_owner(self, digits: str) -> Lender | None:
        return self._memoized("sender", digits, self._sender_owner)

    def _sender_owner(self, digits: str) -> Lender | None:
        lid = self.by_sender.get(digits) or self.by_hotline.get(digits)
        if not lid and digits.startswith("106"):
            # ports carry the service number after the prefix: 106980095533, 1069097095528
            for h, hid in self.by_hotline.items():
                if len(h) >= 5 and h.startswith("95") and digits.endswith(h) or (len(h) >= 5 and h.startswith("95") and h in digits[5:]):
                    lid = hid
                    break
        return self.lenders[lid] if lid else None

    def domain_owner(self, domain: str) -> Lender | None:
        lid = self.by_domain.get(domain.lower())
        return self.lenders[lid] if lid else None

    def lookalike(self, u: "_urls.Url") -> Lender | None:
        """The registry lender whose domain or brand ``u`` imitates, or None."""
        if u.is_ip or self.domain_owner(u.domain):
            return None
        return self._memoized("lookalike", (u.domain, u.subdomain), lambda _: self._lookalike(u))

    def _lookalike(self, u: "_urls.Url") -> Lender | None:
        label = u.domain.split(".", 1)[0]
        labels = [label, *[x for x in u.subdomain.split(".") if x]]
        # punycode / IDN hosts: compare the ASCII parts only
        for lab in labels:
            lab = lab.lower()
            if not lab or lab.startswith("xn--") or lab in ("www", "m", "h5", "app", "wap"):
                continue
            tokens = set(_split_tokens(lab))
            sk = _urls.skeleton(lab)
            for brand, lid in self.brands.items():
                if lab == brand or brand in tokens:
                    return self.lenders[lid]
                if len(brand) >= 4 and brand in lab:
                    return self.lenders[lid]
                if len(brand) >= 4 and sk == _urls.skeleton(brand):
                    return self.lenders[lid]
                if len(brand) >= 5 and not brand.isdigit() and _urls.edit_distance(lab, brand, 2) <= (2 if len(brand) >= 8 else 1):
                    return self.lenders[lid]
        return None


def _entry(e, where: str) -> Lender:
    """One registry entry, type-checked (errors name the file and the entry)."""
    if not isinstance(e, dict):
        raise RegistryError(f"{where}: an entry must be a table")
    unknown = set(e) - _FIELDS
    if unknown:
        raise RegistryError(f"{where}: unknown field(s) {sorted(unknown)}")
    for req in ("id", "name", "short", "kind"):
        if not isinstance(e.get(req), str) or not e[req].strip():
            raise RegistryError(f"{where}: missing or empty '{req}'")
    if e["kind"] not in KINDS:
        raise RegistryError(f"{where}: kind must be one of {KINDS}")
    kw = {}
    for k in ("aliases", "products", "signatures", "never_signatures", "hotlines", "sms_senders", "domains", "apps", "sources"):
        v = e.get(k, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise RegistryError(f"{where}: '{k}' must be a list of strings")
        kw[k] = tuple(x.strip() for x in v if x.strip())
    for k in ("licensed", "never_foreign_sender"):  # "no" or "false" as text is not a boolean
        if k in e and not isinstance(e[k], bool):
            raise RegistryError(f"{where}: '{k}' must be true or false, not {e[k]!r}")
    if not isinstance(e.get("notes", ""), str):
        raise RegistryError(f"{where}: 'notes' must be a string")
    for k in ("hotlines", "sms_senders"):
        bad = [x for x in kw[k] if not re.fullmatch(r"\+?[0-9][0-9 -]{1,24}", x)]
        if bad:
            raise RegistryError(f"{where}: '{k}' holds something that is not a phone number: {bad[0]!r}")
    return Lender(id=e["id"], name=e["name"].strip(), short=e["short"].strip(), kind=e["kind"],
                  licensed=e.get("licensed", False), never_foreign_sender=e.get("never_foreign_sender", False),
                  notes=e.get("notes", ""), **kw)


def _split_tokens(label: str) -> list[str]:
    import re

    return [t for t in re.split(r"[-_]|(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])", label) if t]


def _embedded_in_ascii_word(text: str, s: int, e: int) -> bool:
    """An ASCII alias inside a longer ASCII word (abc inside 'abcd.com') is not a mention."""
    if not text[s:e].isascii():
        return False
    before = text[s - 1] if s > 0 else ""
    after = text[e] if e < len(text) else ""
    return (before.isascii() and (before.isalnum() or before in ".-_")) or (after.isascii() and (after.isalnum() or after in ".-_"))


def load(directory: Path | None = None) -> Registry:
    from .resources import registry_dir

    d = Path(directory) if directory else registry_dir()
    entries: list[dict] = []
    files = sorted(d.glob("*.toml")) if d.is_dir() else []
    if not files:
        raise RegistryError(f"no registry files (*.toml) found in {d}")
    for p in files:
        try:
            with open(p, "rb") as f:
                data = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise RegistryError(f"{p}: cannot read the registry file: {e}") from None
        items = data.get("lender", [])
        if not isinstance(items, list):
            raise RegistryError(f"{p}: expected [[lender]] tables")
        entries.extend(items)
    return Registry.from_entries(entries, origin=str(d))


@lru_cache(maxsize=1)
def default() -> Registry:
    return load()
