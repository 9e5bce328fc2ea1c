"""Table-driven tests of the extractors, with the obfuscated forms and the near-misses."""
import pytest

from verifier.extract import accounts, money_dates, phones, signatures, urls
from verifier.normalize import normalize


def N(s):
    return normalize(s).text


# ---- sender / number classification ---------------------------------------------------------
@pytest.mark.parametrize("number,kind", [
    ("95588", "service"), ("95188", "service"), ("9555801", "service"), ("96169", "service"),
    ("021-95588", "service"), ("10086", "service"), ("12378", "service"),
    ("106980095533", "port"), ("1069089786401", "port"), ("10690010293188027753", "port"), ("10657000000", "port"),
    ("13812345678", "mobile"), ("+86 138 1234 5678", "mobile"), ("008613812345678", "mobile"),
    ("17012345678", "virtual"), ("17112345678", "virtual"), ("16512345678", "virtual"), ("16712345678", "virtual"),
    ("4006816666", "tollfree"), ("400-681-6666", "tollfree"), ("8008208820", "tollfree"),
    ("010-62345678", "landline"), ("075588886666", "landline"),
    ("+85212345678", "foreign"), ("+639171234567", "foreign"), ("0060123456789", "foreign"),
    ("abc", "malformed"), ("", "malformed"), ("12", "malformed"), ("1234567890123456789012345678901234567890123", "malformed"),
])
def test_classify_sender(number, kind):
    assert phones.classify(number)[0] == kind


def test_port_carrier():
    assert phones.classify("10657512345678")[1] == "中国移动"
    assert phones.classify("10655012345678")[1] == "中国联通"


@pytest.mark.parametrize("text,found", [
    ("请回电13812345678", ["13812345678"]),
    ("客服电话:138 1234 5678", ["13812345678"]),
    ("联系 138-1234-5678 处理", ["13812345678"]),
    ("联系１３８１２３４５６７８", ["13812345678"]),
    ("请拨打一三八一二三四五六七八", ["13812345678"]),
    ("官方客服95588", ["95588"]),
    ("致电400-681-6666咨询", ["4006816666"]),
    ("致电021-95588", ["02195588"]),
    ("境外来电+852 61234567", ["+85261234567"]),
])
def test_phones_in_text(text, found):
    assert [p.digits for p in phones.find(N(text))] == found


@pytest.mark.parametrize("text", [
    "订单号202605201234567",       # an order number is not a phone
    "您尾号1234的信用卡",
    "验证码583921",
    "2026年05月20日",
    "欠款12345678元",
    "卡号6222021234567890123",
])
def test_not_phones(text):
    assert phones.find(N(text)) == []


# ---- URLs -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text,domain", [
    ("分期点击 n.95508.com/x 办理", "95508.com"),
    ("详见https://jr.jd.com/abc?x=1", "jd.com"),
    ("登录 jd-jinrong.cn/pay 还款", "jd-jinrong.cn"),
    ("访问weixin-qq。com", "weixin-qq.com"),
    ("打开 ＷＷＷ．ＷＥＢＡＮＫ．ＣＯＭ", "webank.com"),
    ("http://www.icbc.com.cn.xn--fiqs8s/login", "cn.xn--fiqs8s"),
    ("t.cn/A6abcd", "t.cn"),
    ("点击 95188-alipay.vip 处理", "95188-alipay.vip"),
])
def test_urls(text, domain):
    us = urls.find(N(text))
    assert [u.domain for u in us] == [domain]


def test_ip_url_and_shortener_and_odd_tld():
    (u,) = urls.find(N("登录 http://103.45.6.7:8080/pay 还款"))
    assert u.is_ip and u.host == "103.45.6.7"
    (s,) = urls.find(N("详情 t.cn/A6xY"))
    assert urls.is_shortener(s)
    (o,) = urls.find(N("访问 jd-kf.top"))
    assert urls.is_odd_tld(o)


@pytest.mark.parametrize("text", ["金额1.570.44元", "版本v1.2.3", "您好.谢谢", "1.5万元", "a.m.", "3.14"])
def test_not_urls(text):
    assert urls.find(N(text)) == []


def test_lookalike_skeleton():
    assert urls.skeleton("a1ipay") == urls.skeleton("alipay")
    assert urls.edit_distance("webamk", "webank") == 1


# ---- money, dates, deadlines ---------------------------------------------------------------
@pytest.mark.parametrize("text,amounts", [
    ("应还1,570.44元", ["1,570.44元"]),
    ("欠款￥3200", ["¥3200"]),
    ("借款2.3万", ["2.3万"]),
    ("人民币608.19元", ["人民币608.19元"]),
    ("2024年起", []),
    ("尾号1234", []),
])
def test_amounts(text, amounts):
    assert [a.text for a in money_dates.amounts(N(text))] == amounts


@pytest.mark.parametrize("text,dates", [
    ("请于07月15日前还款", ["07月15日"]),
    ("到期日2026-05-20", ["2026-05-20"]),
    ("本月25日扣款", ["本月25日"]),
])
def test_dates(text, dates):
    assert [d.text for d in money_dates.dates(N(text))] == dates


@pytest.mark.parametrize("text,ok", [
    ("请在2小时内处理", True), ("今日12点前还清", True), ("24小时后上报", True), ("今天下午3点前", True),
    ("请于07月15日前还款", False), ("尽快还款", False),
])
def test_deadlines(text, ok):
    assert bool(money_dates.deadlines(N(text))) is ok


# ---- signatures -------------------------------------------------------------------------------
@pytest.mark.parametrize("raw,name,style", [
    ("【招商银行】您的账单已出", "招商银行", "start"),
    ("您的账单已出。【招商银行】", "招商银行", "end"),
    ("您的账单已出，请按时还款[兴业银行]", "兴业银行", "square"),
    ("您的账单已出，请按时还款。-中信信用卡", "中信信用卡", "dash"),
    ("中信信用卡】您的账单已出", "中信信用卡", "malformed"),
    ("您的账单已出【平安银行】回T退订", "平安银行", "end"),
])
def test_signatures(raw, name, style):
    sigs = signatures.find(raw)
    assert (sigs[0].name, sigs[0].style) == (name, style)
    assert raw[sigs[0].start:sigs[0].end] == name


def test_no_signature_in_plain_text():
    assert signatures.find("您有一笔欠款已逾期，请尽快处理") == []


# ---- accounts --------------------------------------------------------------------------------
def test_cards_qq_wechat_reply():
    t = N("请转至6222 0212 3456 7890 123，加ＱＱ：12345678，微信：abc_def1，回FQ办理，尾号1234")
    assert [c.value for c in accounts.cards(t)] == ["6222021234567890123"]
    assert [q.value for q in accounts.qq_ids(t)] == ["12345678"]
    assert [w.value for w in accounts.wechat_ids(t)] == ["abc_def1"]
    assert [r.value for r in accounts.reply_codes(t)] == ["fq"]
    assert [c.value for c in accounts.card_tails(t)] == ["1234"]


def test_order_number_is_not_a_card():
    assert accounts.cards(N("订单号:6222021234567890123")) == []


@pytest.mark.parametrize("text", ["应还12500.15元", "金额10086.50", "共计95588.00元"])
def test_decimals_are_not_phones(text):
    assert phones.find(N(text)) == []


def test_number_before_a_date_is_cut():
    assert [p.digits for p in phones.find(N("95561  5月7日"))] == ["95561"]


def test_ui_words_are_not_signatures():
    assert signatures.find("[输入短信] 您好") == []
