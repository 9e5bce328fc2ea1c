"""The lender registry file validates, and its lookups work."""
import tomllib

import pytest

from verifier import registry as registry_mod
from verifier.extract import phones, urls
from verifier.normalize import normalize
from verifier.resources import registry_dir

REG = registry_mod.default()
ENTRIES = []
for p in sorted(registry_dir().glob("*.toml")):
    ENTRIES += tomllib.loads(p.read_text(encoding="utf-8")).get("lender", [])


def test_size_and_coverage():
    assert len(REG.lenders) >= 80
    both = [L for L in REG.lenders.values() if L.hotlines and L.domains]
    assert len(both) >= 40
    kinds = {L.kind for L in REG.lenders.values()}
    assert {"bank", "consumer_finance", "internet_platform", "regulator"} <= kinds or {"bank", "consumer_finance", "internet_platform", "complaint_channel"} <= kinds


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.get("id", "?"))
def test_entry_is_valid(entry):
    assert entry.get("sources"), "every entry needs a source"
    for h in entry.get("hotlines", []):
        assert h.isdigit(), f"hotline {h!r} must be digits only"
        assert phones.classify(h)[0] != phones.MALFORMED, f"hotline {h!r} is not a valid number"
    for d in entry.get("domains", []):
        assert d == d.lower() and "://" not in d and "/" not in d
        assert urls.parse_host(d) is not None, f"domain {d!r} has no public suffix"
        assert urls.parse_host(d)[0] == d, f"domain {d!r} must be a registrable domain (eTLD+1)"
    for a in [*entry.get("aliases", []), *entry.get("products", []), *entry.get("signatures", [])]:
        assert len(normalize(a).text) >= 2, f"alias {a!r} too short"


def test_complaint_channels_present():
    for num in ("12378", "12321", "96110", "110"):
        assert REG.by_number(num) is not None, f"{num} missing from the registry"
    assert REG.domain_owner("nifa.org.cn") is not None


def test_duplicate_alias_rejected():
    e = [{"id": "a", "name": "甲银行", "short": "甲银行", "kind": "bank", "aliases": ["同名"], "sources": ["x"]},
         {"id": "b", "name": "乙银行", "short": "乙银行", "kind": "bank", "aliases": ["同名"], "sources": ["x"]}]
    with pytest.raises(registry_mod.RegistryError, match="points to both"):
        registry_mod.Registry.from_entries(e)


def test_unknown_field_rejected():
    with pytest.raises(registry_mod.RegistryError, match="unknown field"):
        registry_mod.Registry.from_entries([{"id": "a", "name": "甲", "short": "甲银行", "kind": "bank", "hotline": "1"}])


@pytest.mark.parametrize("extra,msg", [
    ({"licensed": "no"}, "'licensed' must be true or false"),
    ({"never_foreign_sender": "false"}, "'never_foreign_sender' must be true or false"),
    ({"hotlines": ["abc"]}, "not a phone number"),
    ({"notes": 5}, "'notes' must be a string"),
])
def test_registry_types_are_strict(extra, msg):
    e = {"id": "a", "name": "甲银行", "short": "甲银行", "kind": "bank", "sources": ["x"], **extra}
    with pytest.raises(registry_mod.RegistryError, match=msg) as err:
        registry_mod.Registry.from_entries([e], origin="test.toml")
    assert "test.toml" in str(err.value) and "(a)" in str(err.value)


def _lender_with(pred):
    for L in REG.lenders.values():
        if pred(L):
            return L
    pytest.skip("no such entry")


def test_lookup_by_name_longest_match():
    L = _lender_with(lambda L: L.is_lender and len(L.short) >= 3)
    hits = REG.find_names(normalize(f"【{L.short}】您的账单").text)
    assert hits and hits[0].lender.id == L.id


def test_lookup_traditional_and_spaced():
    hits = REG.find_names(normalize("【招 商 銀 行】您的帳單").text)
    assert hits and hits[0].lender.short.startswith("招商")


def test_lookup_by_hotline_and_domain():
    L = _lender_with(lambda L: L.is_lender and L.hotlines and L.domains)
    assert REG.by_number(L.hotlines[0]).id == L.id
    assert REG.domain_owner(L.domains[0]).id == L.id


def test_lookalike_domains():
    L = _lender_with(lambda L: L.is_lender and any(len(d.split(".")[0]) >= 4 for d in L.domains))
    dom = next(d for d in L.domains if len(d.split(".")[0]) >= 4)
    label, suffix = dom.split(".", 1)
    for fake in (f"{label}-kefu.top", f"{label}.vip", f"www.{dom}.xn--fiqs8s", f"{label[:-1]}{label[-1]}{label[-1]}.cn"):
        (u,) = urls.find(normalize(fake + "/pay").text)
        assert REG.lookalike(u) is not None, fake
    (u,) = urls.find(normalize(f"https://{dom}/x").text)
    assert REG.lookalike(u) is None
