"""Verdicts a worried borrower understands: the decision, the evidence, the advice.

``decide`` turns the model's probabilities and the rule hits into a label (recording whether the
model, a hard rule, or caution decided); ``build_verdict`` adds the evidence (exact quotes of the
original message), a one-sentence summary and advice, in Chinese or English.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .rules.engine import LABELS

SEVERITY = {"legitimate": 0, "suspicious": 1, "abusive": 2, "scam": 3}
UNSURE_BELOW = 0.5          # below this the model's top label is not trusted: say "suspicious"
GUARD_WEIGHT = 3.0          # a legitimate call with a scam/abusive rule this strong becomes "suspicious"
MAX_SPANS_PER_RULE = 3

LABEL_NAMES = {
    "zh": {"legitimate": "正规", "suspicious": "可疑", "abusive": "违规催收", "scam": "诈骗"},
    "en": {"legitimate": "legitimate", "suspicious": "suspicious", "abusive": "abusive", "scam": "scam"},
}


@dataclass(frozen=True, slots=True)
class Evidence:
    signal: str
    start: int | None
    end: int | None
    quote: str | None
    weight: float
    explanation: str
    label: str = ""
    basis: str = ""

    def to_dict(self) -> dict:
        return {"signal": self.signal, "start": self.start, "end": self.end, "quote": self.quote,
                "weight": round(float(self.weight), 3), "explanation": self.explanation}


@dataclass(frozen=True)
class Verdict:
    label: str
    confidence: float
    summary: str
    evidence: tuple[Evidence, ...]
    advice: tuple[str, ...]
    lender: dict | None
    decided_by: str = "model"
    probabilities: dict = field(default_factory=dict)
    lang: str = "zh"
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "confidence": round(float(self.confidence), 3),
            "summary": self.summary,
            "evidence": [e.to_dict() for e in self.evidence],
            "advice": list(self.advice),
            "lender": self.lender,
            "decided_by": self.decided_by,
            "probabilities": {k: round(float(v), 3) for k, v in self.probabilities.items()},
            "notes": list(self.notes),
        }

    @property
    def label_text(self) -> str:
        return LABEL_NAMES.get(self.lang, LABEL_NAMES["zh"])[self.label]


def decide(hits, probs: dict[str, float]) -> tuple[str, float, str]:
    """(label, confidence, decided_by). A hard rule decides alone; an unsure model says
    'suspicious'; a 'legitimate' call that contradicts a strong scam/abuse signal is downgraded."""
    hard = sorted((h for h in hits if h.rule.hard), key=lambda h: -h.rule.weight)
    if hard and not any(h.rule.defuses_hard for h in hits):  # a scam WARNING quotes scam words: the model decides
        return "scam", max(probs.get("scam", 0.0), 0.9), f"rule:{hard[0].rule.id}"
    label = max(LABELS, key=lambda L: probs.get(L, 0.0))
    conf = probs.get(label, 0.0)
    if conf < UNSURE_BELOW and label != "suspicious":
        return "suspicious", 1.0 - probs.get("legitimate", 0.0) if label != "legitimate" else 1.0 - conf, "uncertain"
    if label == "legitimate" and not any(h.rule.defuses_hard for h in hits):
        strong = [h for h in hits if h.rule.label in ("scam", "abusive") and h.rule.weight >= GUARD_WEIGHT]
        if strong:
            return "suspicious", 1.0 - conf, f"guard:{strong[0].rule.id}"
    return label, conf, "model"


def public_basis(basis: str) -> str:
    """The parts of a rule's basis a borrower can look up (laws, conventions), without the
    project's own research notes."""
    parts = [p.strip() for p in basis.replace(";", "；").split("；")]
    return "；".join(p for p in parts if p and ".md" not in p and "LABELS" not in p)


def confidence_words(conf: float, lang: str) -> str:
    if lang == "en":
        return "high" if conf >= 0.85 else "medium" if conf >= 0.6 else "low"
    return "高" if conf >= 0.85 else "中" if conf >= 0.6 else "低"


# ---- evidence ---------------------------------------------------------------------------------
def evidence_of(analysis, lang: str) -> list[Evidence]:
    norm = analysis.norm
    by_rule: dict[str, list] = {}
    for h in analysis.hits:
        by_rule.setdefault(h.rule.id, []).append(h)
    out: list[Evidence] = []
    for rid, hs in by_rule.items():
        r = hs[0].rule
        text = r.zh if lang != "en" else r.en
        spans = []
        if any(p.startswith(("sender.", "time.")) for p in r.when):
            # the rule is about who sent it or when: its keywords only gate it, so quoting them
            # would point at the wrong words
            spans.append((None, None))
        for h in hs if not spans else ():
            if h.start is None:
                spans.append((None, None))
            else:
                spans.append(norm.to_raw(h.start, h.end))
        seen = set()
        for s, e in spans:
            if (s, e) in seen:
                continue
            seen.add((s, e))
            out.append(Evidence(rid, s, e, None if s is None else norm.raw[s:e], r.weight, text, r.label, r.basis))
            if len(seen) >= MAX_SPANS_PER_RULE:
                break
    out.sort(key=lambda e: (-e.weight, e.start if e.start is not None else 1 << 30))
    return out


_PLACEHOLDERS = ("网址", "电话", "金额")
_MODEL_TEXT = {
    "zh": {"scam": "措辞与诈骗短信相似", "abusive": "措辞与违规催收短信相似", "suspicious": "措辞与来源不明的短信相似",
           "legitimate": "措辞与正规提醒相似"},
    "en": {"scam": "wording typical of scam messages", "abusive": "wording typical of abusive collection",
           "suspicious": "wording typical of unverifiable messages", "legitimate": "wording typical of genuine reminders"},
}


def model_evidence(analysis, terms: list[tuple[str, float]], label: str, lang: str, k: int = 3) -> list[Evidence]:
    """Where the words that pushed the model toward ``label`` occur in the message (merged
    into phrases), as evidence with exact spans of the original text."""
    norm = analysis.norm
    text0 = re.sub(r"[0-9]", "0", norm.text)  # the n-grams saw digits as 0; same length
    spans: list[list] = []
    for name, c in terms:
        term = name.split("__", 1)[1].replace(" ", "")
        if len(term) < 2 or any(p in term for p in _PLACEHOLDERS) or not term.strip():
            continue
        i = text0.find(term)
        if i < 0:
            continue
        spans.append([i, i + len(term), c])
    spans.sort()
    merged: list[list] = []
    for s, e, c in spans:
        if merged and s <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], e)
            merged[-1][2] += c
        else:
            merged.append([s, e, c])
    merged.sort(key=lambda m: -m[2])
    out = []
    why = _MODEL_TEXT["en" if lang == "en" else "zh"][label]
    for s, e, c in merged[:k]:
        a, b = norm.to_raw(s, e)
        quote = norm.raw[a:b]
        if not quote.strip():
            continue
        out.append(Evidence("model_wording", a, b, quote, round(c, 3), why, label, ""))
    return out


# ---- summary ----------------------------------------------------------------------------------
_SUMMARY = {
    "zh": {
        "scam": "这条短信有诈骗的典型特征：{why}",
        "abusive": "催收方式违规：{why}",
        "suspicious": "无法确认这条短信是真的，请先通过官方渠道核实：{why}",
        "legitimate": "这条短信看起来是{who}的正常提醒：{why}",
    },
    "en": {
        "scam": "This message shows typical signs of fraud: {why}",
        "abusive": "This collection message breaks the rules: {why}",
        "suspicious": "This message cannot be confirmed as genuine; check through the official channel first: {why}",
        "legitimate": "This looks like a normal reminder from {who}: {why}",
    },
}
_DEFAULT_WHY = {
    "zh": {"scam": "它的要求不符合正规机构的做法。", "abusive": "用语或做法超出了合法催收的范围。",
           "suspicious": "短信缺少能证明来源的信息。", "legitimate": "没有发现威胁、私人账户或可疑链接。"},
    "en": {"scam": "what it asks for is not how licensed lenders work.", "abusive": "its wording or methods go beyond lawful collection.",
           "suspicious": "it lacks the details that would prove where it comes from.", "legitimate": "no threats, personal accounts or suspicious links were found."},
}


def summary_of(label: str, evidence: list[Evidence], lender, lang: str, decided_by: str) -> str:
    lang = "en" if lang == "en" else "zh"
    pick = [e for e in evidence if e.label == label] or ([e for e in evidence if e.label != "legitimate"] if label != "legitimate" else [])
    why = pick[0].explanation if pick else _DEFAULT_WHY[lang][label]
    if lang == "zh" and why and why[-1] not in "。！？":
        why += "。"
    if lang == "en" and why and why[-1] not in ".!?":
        why += "."
    who = lender.short if lender else ("a lender" if lang == "en" else "贷款机构")
    return _SUMMARY[lang][label].format(why=why, who=who)


# ---- advice -----------------------------------------------------------------------------------
def advice_of(label: str, evidence: list[Evidence], lender, registry, lang: str) -> list[str]:
    en = lang == "en"
    signals = {e.signal for e in evidence}
    out: list[str] = []
    hot = [h for h in (lender.hotlines if lender else ()) if h]

    def has(num: str) -> bool:
        return registry.by_number(num) is not None

    if lender is not None and hot and label == "legitimate":
        out.append(f"To double-check, use {lender.short}'s official app or call its official hotline {' / '.join(hot[:2])}."
                   if en else f"如需核实，请打开{lender.short}官方App或拨打官方客服 {' / '.join(hot[:2])}。")
    elif lender is not None and hot:
        apps = "、".join(lender.apps[:1]) if lender.apps else ""
        if en:
            out.append(f"Check with {lender.short} through its official app or its official hotline {' / '.join(hot[:2])} — never the number or link in the SMS.")
        else:
            via = f"{apps}或" if apps else "官方App或"
            out.append(f"请通过{lender.short}的{via}官方客服 {' / '.join(hot[:2])} 核实，不要拨打短信中的号码或点击短信中的链接。")
    elif label != "legitimate":
        out.append("Check inside the app you borrowed from, or call the number on the back of your bank card — never the number or link in the SMS."
                   if en else "请打开你借款的官方App，或拨打银行卡背面的官方客服电话核实，不要拨打短信中的号码或点击短信中的链接。")
    if label == "scam":
        out.append("Never transfer money to a personal bank card, Alipay or WeChat account: licensed lenders only collect through their own app or corporate accounts."
                   if en else "不要向任何个人银行卡、支付宝或微信转账：正规机构只通过自家App或对公账户收款。")
        out.append("Never give anyone a verification code or password, never share your screen or install an app from a link."
                   if en else "不要把验证码、密码告诉任何人，不要共享屏幕，不要通过链接下载App。")
        if has("110") or has("96110"):
            out.append("If you have already paid or given out codes, call the police (110) at once; the anti-fraud line 96110 gives advice."
                       if en else "如果已经转账或泄露了验证码，请立即拨打 110 报警；也可拨打反诈专线 96110 咨询。")
    elif label == "abusive":
        out.append("Keep the evidence: screenshots of the messages with sender and time, call recordings."
                   if en else "保留证据：短信截图（含号码和时间）、通话录音。")
        parts = []
        if has("12378"):
            parts.append("12378" if en else "拨打 12378（银行、消费金融公司）")
        if registry.domain_owner("nifa.org.cn") is not None:
            parts.append("NIFA at nifa.org.cn" if en else "向中国互联网金融协会 nifa.org.cn 举报（网贷平台）")
        if parts:
            out.append(("Complain to the lender first, then to " + " or ".join(parts) + ".") if en
                       else "先向放贷机构官方客服投诉，再" + "，或".join(parts) + "。")
        if has("12321"):
            out.append("Report harassing SMS to 12321." if en else "骚扰短信可向 12321 举报。")
        if any(s.startswith(("threat_violence", "violence", "threat_harm")) or "violen" in s for s in signals) and has("110"):
            out.append("If you feel your safety is threatened, call 110." if en else "如人身安全受到威胁，请立即拨打 110。")
        out.append("You still owe a real debt: repay only through the lender's official app or hotline."
                   if en else "欠款仍需处理：只通过放贷机构的官方App或官方客服还款。")
    elif label == "suspicious":
        out.append("Do not pay, call back or click anything until the official channel confirms it."
                   if en else "在官方渠道确认之前，先不要付款、回拨或点击链接。")
        if "lender.none" in signals or lender is None:
            out.append("A genuine notice names the lender; ask the sender which institution they represent."
                       if en else "正规催收会说明机构名称；可以要求对方说明所代表的机构，再自行查证。")
    else:
        out.append("It looks genuine; you can still confirm the amount and due date inside the official app."
                   if en else "看起来正规；仍可在官方App内核对金额和还款日。")
    return out
