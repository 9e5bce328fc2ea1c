"""URLs and bare domains, parsed strictly offline with tldextract's bundled suffix list."""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache

SHORTENERS = frozenset({
    "t.cn", "url.cn", "dwz.cn", "suo.im", "suo.nu", "bit.ly", "tinyurl.com", "goo.gl", "is.gd", "ow.ly",
    "t.co", "w.url.cn", "s.tb.cn", "tb.cn", "c.tb.cn", "u.jd.com", "3.cn", "dwz.mk", "m6z.cn", "sohu.gg",
    "rrd.me", "0x3.me", "mrw.so", "kks.me", "ffh.ink", "985.so", "l.cx", "cutt.ly", "rebrand.ly", "rb.gy",
    "shorturl.at", "tiny.cc", "v.gd", "reurl.cc", "xhslink.com", "v.douyin.com", "dwz.date", "sina.lt",
    "sourl.cn", "ii1.cn", "dwz.lc", "6du.in", "lrl.kr", "u.nu", "qr.net", "ux.nu", "s.id", "surl.li",
})
# the shape of a short link on a domain no list knows: a bare name of up to five characters and a
# single path of 4-10 letters and digits ("ab1.cn/Xk3pQ")
_SHORT_SHAPE = re.compile(r"^(?:https?://)?[a-z0-9-]{1,5}\.[a-z]{2,3}/[a-z0-9]{4,10}/?$")
ODD_TLDS = frozenset({
    "top", "xyz", "vip", "cc", "icu", "club", "work", "buzz", "tk", "ml", "ga", "cf", "gq", "site", "online",
    "fun", "shop", "store", "live", "rest", "bar", "cyou", "sbs", "monster", "click", "link", "ltd", "pw",
    "ink", "wang", "ren", "xin", "kim", "loan", "win", "bid", "men", "date", "party", "review", "trade",
    "science", "mobi", "asia", "tw", "me", "la", "ws", "su", "lol", "best", "today", "world", "life",
})

# scheme URLs; bare hosts need a dot and a letter TLD; paths stop at CJK/space/closing brackets
_URL = re.compile(
    r"(?<![a-z0-9@._-])"
    r"((?:https?://|www\.)?"
    r"(?:(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.)+"
    r"(?:xn--[a-z0-9-]{2,30}|[a-z]{2,24}(?![a-z0-9-])|[\u4e00-\u9fff]{2,4})"
    r"(?::[0-9]{2,5})?"
    r"(?:[/?#][a-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*)?)",
)
_IPURL = re.compile(r"(?<![0-9.])((?:https?://)?(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?::[0-9]{2,5})?(?:/[a-z0-9\-._~:/?#@!$&'()*+,;=%]*)?)")
_SCHEME = re.compile(r"^(?:https?://)")
_HOST_CHARS = re.compile(r"[^a-z0-9.\-\u00c0-\uffff]")


@dataclass(frozen=True, slots=True)
class Url:
    start: int
    end: int
    url: str            # as written (normalised)
    host: str
    domain: str         # registrable domain (eTLD+1), or the IP
    suffix: str
    subdomain: str
    is_ip: bool = False
    idn: bool = False


@lru_cache(maxsize=1)
def _extractor():
    import tldextract

    # no network, no cache writes: the bundled public-suffix snapshot only
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


@lru_cache(maxsize=8192)
def parse_host(host: str) -> tuple[str, str, str] | None:
    """(registrable domain, suffix, subdomain) of a host, or None when it has no public suffix."""
    host = host.strip(".").lower()
    if not host or len(host) > 253:
        return None
    try:
        r = _extractor()(host)
    except Exception:  # pragma: no cover - tldextract on junk; treated as "no domain"
        return None
    if not r.suffix or not r.domain:
        return None
    return f"{r.domain}.{r.suffix}", r.suffix, r.subdomain


def find(text: str) -> list[Url]:
    if "." not in text:  # every link, bare host or IP address has a dot
        return []
    out: list[Url] = []
    taken: list[tuple[int, int]] = []
    for m in _IPURL.finditer(text):
        s, e = m.span(1)
        u = m.group(1)
        host = _SCHEME.sub("", u).split("/", 1)[0].split(":", 1)[0]
        try:
            ipaddress.ip_address(host)
        except ValueError:
            continue
        if not _SCHEME.match(u) and "/" not in u and ":" not in u:
            # a bare dotted quad with no scheme or path is likely a version number or amount
            continue
        out.append(Url(s, e, u, host, host, "", "", is_ip=True))
        taken.append((s, e))
    for m in _URL.finditer(text):
        s, e = m.span(1)
        if any(a <= s < b for a, b in taken):
            continue
        u = m.group(1).rstrip(".,;:!?)]'\"")
        e = s + len(u)
        host = _SCHEME.sub("", u)
        host = re.split(r"[/?#:]", host, maxsplit=1)[0]
        if _HOST_CHARS.search(host):
            continue
        if re.fullmatch(r"[0-9.]+", host):
            continue  # amounts like 1.570.44
        parsed = parse_host(host)
        if parsed is None:
            continue
        domain, suffix, sub = parsed
        label = domain.split(".", 1)[0]
        scheme = bool(_SCHEME.match(u)) or u.startswith("www.")
        if not scheme and "/" not in u:
            # bare "word.word": accept only plausible domains (avoid "a.m", "app.打开" …)
            if len(label) < 2 or (label.isdigit() and len(label) < 4 and suffix not in ("com", "cn")):
                continue
            if suffix in ("py", "sh", "md", "txt", "zip", "jpg", "png", "pdf", "doc", "apk") and not sub:
                continue
        idn = "xn--" in host or not host.isascii()
        out.append(Url(s, e, u, host, domain, suffix, sub, idn=idn))
    out.sort(key=lambda u: u.start)
    return out


def is_shortener(u: Url) -> bool:
    return u.domain in SHORTENERS or u.host in SHORTENERS or bool(_SHORT_SHAPE.match(u.url))


def is_odd_tld(u: Url) -> bool:
    return u.suffix.rsplit(".", 1)[-1] in ODD_TLDS


_SKELETON = str.maketrans({"0": "o", "1": "l", "i": "l", "3": "e", "5": "s", "8": "b", "9": "g", "4": "a", "7": "t", "6": "b", "2": "z"})


def skeleton(label: str) -> str:
    """A look-alike key: digits that pass for letters, rn→m, vv→w, hyphens dropped."""
    return label.replace("rn", "m").replace("vv", "w").replace("-", "").translate(_SKELETON)


def edit_distance(a: str, b: str, cap: int = 3) -> int:
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            best = min(best, cur[j])
        if best > cap:
            return cap + 1
        prev = cur
    return prev[-1]
