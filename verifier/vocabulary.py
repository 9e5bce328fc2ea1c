"""The words every other module shares: labels, their severity and names, the fact predicates
rules may test, sender classes, lender kinds and the fraud families.

This module imports nothing from the package, so anything may import it; the web page reads
the same table from ``/api/vocabulary`` (:func:`as_json`) instead of keeping its own copy.
"""
from __future__ import annotations

# the label contract (LABELS.md), least to most severe
LABELS = ("legitimate", "suspicious", "abusive", "scam")
SEVERITY = {label: i for i, label in enumerate(LABELS)}
LABEL_NAMES = {
    "zh": {"legitimate": "正规", "suspicious": "可疑", "abusive": "违规催收", "scam": "诈骗"},
    "en": {"legitimate": "legitimate", "suspicious": "suspicious", "abusive": "abusive", "scam": "scam"},
}

# who sent it, by the number's shape (extract.phones.classify)
SENDER_CLASSES = ("service", "port", "mobile", "virtual", "landline", "tollfree", "foreign", "malformed")

# registry entries: the first four lend money; the others are named in messages but do not
KINDS = ("bank", "consumer_finance", "internet_platform", "small_loan", "collection_agency", "mediation",
         "regulator", "complaint_channel", "other")
LENDER_KINDS = KINDS[:4]

# the fraud families around a debt (LABELS.md "Fraud that is not about a collection"); a rule may
# say which one it detects, and the corpus records the same names in its ``topic`` field
TOPICS = ("fake_authority", "loan_fee", "fake_service", "impersonation", "fake_bank", "prize_refund")

# every fact the analysis may state about a message, and what it means; rules test them in
# ``when`` / ``when_not``, and a rule naming anything else is refused at load
PREDICATES: dict[str, str] = {
    # who the message claims to be from
    "lender.named": "a registry lender is named or signs the message",
    "lender.licensed": "the lender named is licensed",
    "lender.none": "no registry lender is named or signed",
    "signature.present": "a 【…】 signature",
    "signature.known": "the signature is a registry entry's",
    "signature.unknown": "the signature names nobody in the registry",
    "signature.never_used": "a lender says it never signs this way",
    "placeholder.institution": "an institution hidden by whoever quoted the message (XX银行)",
    # links
    "url.any": "a link",
    "url.official": "a link on the claimed lender's (or a regulator's) domain",
    "url.other_lender": "a link on another lender's domain",
    "url.unknown": "a link on nobody's domain",
    "url.lookalike": "a domain made to look like a lender's",
    "url.ip": "a link to a bare IP address",
    "url.shortener": "a shortened link",
    "url.odd_tld": "a link under a top-level domain lenders do not use",
    "url.idn": "an internationalised (punycode) domain",
    # numbers in the text
    "phone.any": "a phone number",
    "phone.official": "the claimed lender's (or a regulator's) number",
    "phone.other_lender": "another lender's number",
    "phone.unknown": "nobody's number",
    "phone.mobile": "a personal or virtual mobile number",
    "phone.landline": "a landline",
    "phone.tollfree": "a 400/800 number",
    "phone.foreign": "a foreign number",
    "phone.masked": "a number partly hidden (138****5678)",
    "card.number": "a bank card number",
    "card.masked": "a card number partly hidden (6222****1234)",
    "contact.qq": "a QQ number",
    "contact.wechat": "a WeChat ID",
    "contact.email": "an e-mail address",
    "account.alipay": "an Alipay account",
    "amount.any": "an amount of money",
    "date.any": "a date",
    "deadline.short": "a deadline within hours",
    # what the message is about, and how it is written
    "about.debt": "debt words: the message is about a loan or a debt",
    "text.bidi": "characters that reverse the reading order",
    "text.invisible": "a run of invisible characters",
    # the sender (only when it is given)
    "sender.given": "the sender's number is known",
    "sender.service": "a 95xxx/96xxx/10xxx service number",
    "sender.port": "a 106 SMS port",
    "sender.mobile": "a personal mobile",
    "sender.virtual": "a virtual-operator mobile (170/171/16x)",
    "sender.landline": "a landline",
    "sender.tollfree": "a 400/800 number",
    "sender.foreign": "a foreign number",
    "sender.malformed": "not a possible number",
    "sender.official": "the claimed lender's own sending number",
    "sender.foreign_never": "from abroad, though the lender says it never sends from abroad",
    # when it arrived (only when the time is given)
    "time.given": "the time of arrival is known",
    "time.night": "a debt message between 22:00 and 08:00",
    "time.burst": "a debt message in a burst from the same sender",
}


def as_json() -> dict:
    """The vocabulary the web page needs, most severe label first."""
    return {
        "labels": sorted(LABELS, key=lambda L: -SEVERITY[L]),
        "severity": SEVERITY,
        "label_names": LABEL_NAMES,
        "sender_classes": list(SENDER_CLASSES),
        "lender_kinds": list(LENDER_KINDS),
    }
