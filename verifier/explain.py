"""What a worried borrower reads: the evidence, a one-sentence summary and the advice.

The label is set by ``decision.decide``; this module writes the words around it: evidence with
exact quotes of the original message (``evidence_of`` for rules, ``model_evidence`` for the
model's own wording), ``summary_of`` and ``advice_of``, in Chinese or English. The result is a
``verdict.Verdict`` (built by ``checker``).
"""
from __future__ import annotations

import re

from .verdict import Evidence

MAX_SPANS_PER_RULE = 3


# the public sources rules cite, in English (longest first; anything else stays as written)
_BASIS_EN = (
    ("《中华人民共和国反电信网络诈骗法》", "Anti-Telecom and Online Fraud Law of the PRC"),
    ("反电信网络诈骗法", "Anti-Telecom and Online Fraud Law of the PRC"),
    ("《互联网金融逾期债务催收自律公约》", "NIFA Self-Regulatory Convention on Collecting Overdue Internet-Finance Debts"),
    ("《金融机构个人消费类贷款催收工作指引（试行）》", "Guidelines on Collection of Personal Consumer Loans by Financial Institutions (trial)"),
    ("《金融机构个人消费类贷款催收工作指引》", "Guidelines on Collection of Personal Consumer Loans by Financial Institutions"),
    ("《个人网络消费信贷贷后催收风控指引》国家标准", "national standard on post-loan collection of personal online consumer credit"),
    ("国家标准《个人网络消费信贷贷后催收风控指引》", "national standard on post-loan collection of personal online consumer credit"),
    ("《互联网金融贷后催收业务指引》", "Guidelines on Post-Loan Collection in Internet Finance"),
    ("《信用卡业务监督管理办法》", "Measures on the Supervision of Credit Card Business"),
    ("银行业协会催收指引", "China Banking Association collection guidelines"),
    ("治安管理处罚法", "Public Security Administration Punishments Law"),
    ("个人信息保护法", "Personal Information Protection Law"),
    ("征信业管理条例", "Regulation on the Administration of Credit Reporting"),
    ("两高两部“软暴力”意见", "Opinions of the Supreme Court, Procuratorate and two ministries on 'soft violence'"),
    ("两高两部软暴力意见", "Opinions of the Supreme Court, Procuratorate and two ministries on 'soft violence'"),
    ("公安部反诈提示", "Ministry of Public Security anti-fraud advisories"),
    ("公安反诈提示", "police anti-fraud advisories"),
    ("各金融机构公告", "notices of the financial institutions"), ("各金融机构反诈公告", "anti-fraud notices of the financial institutions"),
    ("金融机构公告", "notices of the financial institutions"), ("各机构公告", "notices of the institutions"),
    ("民法典", "Civil Code"), ("刑法", "Criminal Law"),
    ("第一千零三十三条", " art. 1033"), ("第一千零二十四条", " art. 1024"), ("第二百九十三条之一", " art. 293-1"),
    ("各金融机构反诈公告", "anti-fraud notices of the financial institutions"),
    ("两高两部《关于办理实施软暴力的刑事案件若干问题的意见》", "Opinions of the Supreme Court, Procuratorate and two ministries on 'soft violence'"),
    ("《通信短信息服务管理规定》", "Provisions on the Administration of SMS Services"), ("银保监会风险提示", "CBIRC risk alerts"),
    ("教育部门规定", "rules of the education authorities"), ("合同编", " (contracts)"),
)
_LEFTOVER = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef][^;]*")
_CN_NUM = {c: i for i, c in enumerate("零一二三四五六七八九")}
_ARTICLES = re.compile(r"第([零一二三四五六七八九十百千、]+)条(之[一二三四五六七八九])?")


def _cn_int(s: str) -> int:
    """一千零三十三 → 1033 (the article numbers laws use)."""
    total, cur = 0, 0
    for c in s:
        if c in _CN_NUM:
            cur = _CN_NUM[c]
        else:
            unit = {"十": 10, "百": 100, "千": 1000}[c]
            total += (cur or 1) * unit
            cur = 0
    return total + cur


def _articles_en(m: re.Match) -> str:
    nums = [str(_cn_int(x)) for x in m.group(1).split("、") if x]
    sub = f"-{_cn_int(m.group(2)[1:])}" if m.group(2) else ""
    return (" arts. " + ", ".join(nums[:-1]) + " and " + nums[-1] if len(nums) > 1 else f" art. {nums[0]}") + sub


def public_basis(basis: str, lang: str = "zh") -> str:
    """The parts of a rule's basis a borrower can look up (laws, conventions), without the
    project's own research notes; in English the sources' names are translated and the Chinese
    remarks in brackets dropped."""
    parts = [p.strip() for p in basis.replace(";", "；").split("；")]
    parts = [p for p in parts if p and ".md" not in p and "LABELS" not in p and "lenders.json" not in p]
    if lang != "en":
        return "；".join(parts)
    out = []
    for p in parts:
        p = re.sub(r"[（(][^）)]*[）)]", "", p).strip()
        for zh, en in _BASIS_EN:
            p = p.replace(zh, en)
        p = _ARTICLES.sub(_articles_en, p)
        p = _LEFTOVER.sub("", p).strip(" ,:")  # a remark in Chinese that has no English name here
        if p and p not in out:
            out.append(p)
    return "; ".join(out)


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
            out.append(Evidence(rid, s, e, None if s is None else norm.raw[s:e], text, r.label, r.basis, prior=r.weight))
            if len(seen) >= MAX_SPANS_PER_RULE:
                break
    out.sort(key=lambda e: (-e.rank, e.start if e.start is not None else 1 << 30))
    return out


_PLACEHOLDERS = ("网址", "电话", "金额")
# words too common to be a reason on their own
_STOP = frozenset("""您的 你的 我们 你们 他们 您好 你好 尊敬 请您 如果 如有 已经 可以 进行 需要 相关 以及 或者 因为 所以 这个 那个 一个 现在
今天 明天 马上 立即 及时 尽快 时间 信息 短信 通知 提醒 客户 用户 本人 情况 问题 处理 联系 电话 网址 金额 谢谢 感谢 一下 什么 没有
不要 不是 就是 还是 这样 那么 自己 之前 之后 以上 以下 工作 我们的 您好请""".split())
_MODEL_TEXT = {
    "zh": {"scam": "模型判断：这些词语常见于诈骗短信", "abusive": "模型判断：这些词语常见于违规催收短信"},
    "en": {"scam": "The model's judgement: these words are typical of scam messages",
           "abusive": "The model's judgement: these words are typical of abusive collection"},
}


def _is_word(term: str) -> bool:
    """A whole word a person can read as a reason: two or more characters, letters or CJK, no
    digits, punctuation or placeholders, not a stop word."""
    return (len(term) >= 2 and term not in _STOP and not any(p in term for p in _PLACEHOLDERS)
            and all(c.isalpha() for c in term) and any("\u4e00" <= c <= "\u9fff" for c in term))


def model_evidence(analysis, terms: list[tuple[str, float]], label: str, lang: str, k: int = 3) -> list[Evidence]:
    """The whole jieba words (and word pairs) that pushed the model toward ``label``, where they
    occur in the message, as evidence labelled as the model's judgement."""
    norm = analysis.norm
    spans: list[list] = []
    for name, c in terms:
        block, _, term = name.partition("__")
        if block != "words":
            continue
        words = term.split(" ")
        if not all(_is_word(w) for w in words):
            continue
        i = norm.text.find("".join(words))
        if i < 0:
            continue
        spans.append([i, i + len("".join(words)), c])
    spans.sort()
    merged: list[list] = []
    for s, e, c in spans:
        if merged and s < merged[-1][1]:  # overlapping words (a pair and its parts) are one phrase
            merged[-1][1] = max(merged[-1][1], e)
            merged[-1][2] += c
        else:
            merged.append([s, e, c])
    merged.sort(key=lambda m: -m[2])
    out = []
    why = _MODEL_TEXT["en" if lang == "en" else "zh"].get(label)
    if why is None:
        return out
    for s, e, c in merged[:k]:
        a, b = norm.to_raw(s, e)
        quote = norm.raw[a:b]
        if not quote.strip() or not all(ch.isalpha() or ch == " " for ch in quote):
            continue  # whole words only: never punctuation the normalised text had dropped
        out.append(Evidence("model_wording", a, b, quote, why, label, "", learned=round(c, 3)))
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


_ORDINARY = {
    "zh": "这条短信与借贷无关，没有发现风险：没有可疑链接、陌生回拨号码、转账或验证码要求，也没有威胁。",
    "en": "This is not a debt message and no risk was found: no suspicious link, unknown callback number, payment or code request, and no threat.",
}


def summary_of(label: str, evidence: list[Evidence], lender, lang: str, about_debt: bool = True) -> str:
    lang = "en" if lang == "en" else "zh"
    if label == "legitimate" and not about_debt and not any(e.label != "legitimate" for e in evidence):
        return _ORDINARY[lang]
    pick = [e for e in evidence if e.label == label] or ([e for e in evidence if e.label != "legitimate"] if label != "legitimate" else [])
    why = pick[0].explanation if pick else _DEFAULT_WHY[lang][label]
    if lang == "zh" and why and why[-1] not in "。！？":
        why += "。"
    if lang == "en" and why and why[-1] not in ".!?":
        why += "."
    who = lender.short if lender else ("a lender" if lang == "en" else "贷款机构")
    return _SUMMARY[lang][label].format(why=why, who=who)


# ---- advice -----------------------------------------------------------------------------------
def advice_of(label: str, evidence: list[Evidence], lender, registry, lang: str, about_debt: bool = True) -> list[str]:
    en = lang == "en"
    if label == "legitimate" and not about_debt:
        return ["Nothing to do about debts here. If someone later uses a message like this to ask for money or a code, check again."
                if en else "无需为借贷担心。如果之后有人借这类短信让你转账或提供验证码，请先核实。"]
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
        out += _scam_advice(evidence, has, en)
    elif label == "abusive":
        out += _abuse_advice(signals, registry, has, en)
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


def _scam_advice(evidence, has, en: bool) -> list[str]:
    out: list[str] = []
    out.append("Never transfer money to a personal bank card, Alipay or WeChat account: licensed lenders only collect through their own app or corporate accounts."
               if en else "不要向任何个人银行卡、支付宝或微信转账：正规机构只通过自家App或对公账户收款。")
    out.append("Never give anyone a verification code or password, never share your screen or install an app from a link."
               if en else "不要把验证码、密码告诉任何人，不要共享屏幕，不要通过链接下载App。")
    if has("110") or has("96110"):
        out.append("If you have already paid or given out codes, call the police (110) at once; the anti-fraud line 96110 gives advice."
                   if en else "如果已经转账或泄露了验证码，请立即拨打 110 报警；也可拨打反诈专线 96110 咨询。")
    if any(e.label == "abusive" for e in evidence):  # a scam that also threatens: keep the evidence too
        out.append("It also threatens you: keep screenshots (with sender and time) and call recordings; report it to 110, or to 12378 if it names a bank or lender."
                   if en else "这条短信还在威胁你：保留截图（含号码和时间）和通话录音；可向 110 报警，涉及银行或贷款机构的也可拨打 12378 投诉。")
    return out


def _abuse_advice(signals, registry, has, en: bool) -> list[str]:
    out: list[str] = []
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
    return out
