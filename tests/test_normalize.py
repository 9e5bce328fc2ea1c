"""Normalisation sees through obfuscation and maps every span back to the original text."""
import pytest
from hypothesis import given, settings, strategies as st

from verifier.normalize import normalize


@pytest.mark.parametrize("raw,norm", [
    ("征 信 修 复", "征信修复"),
    ("爆.通.讯.录", "爆通讯录"),
    ("爆,通,讯,录", "爆通讯录"),
    ("涉 嫌恶意拖欠", "涉嫌恶意拖欠"),
    ("司 法机 关处理", "司法机关处理"),
    ("帳戶徵信", "账户征信"),
    ("帐户", "账户"),
    ("ＱＱ１３８８８８８", "qq1388888"),
    ("征\u200b信\u200d修\ufeff复", "征信修复"),
    ("逾期💰征信", "逾期征信"),
    ("weixin-qq。com", "weixin-qq.com"),
    ("раураl", "paypal"),          # Cyrillic look-alikes
    ("WWW.JD.COM", "www.jd.com"),
    ("你好，请还款。谢谢", "你好,请还款。谢谢"),  # ordinary punctuation stays
    ("  多个   空格\n\n换行 ", "多个空格换行"),
    ("A  B\tC", "a b c"),
    ("", ""),
    ("您己逾期3天", "您已逾期3天"),        # OCR: 己 for 已
    ("请你自己处理", "请你自己处理"),       # … but not in 自己
    ("客服电话1O1O6", "客服电话10106"),    # OCR: O and l between digits
    ("尾号12l4", "尾号1214"),
    ("hello world", "hello world"),
])
def test_folding(raw, norm):
    assert normalize(raw).text == norm


@pytest.mark.parametrize("raw,word", [
    ("请勿相信征 信 修 复服务", "征信修复"),
    ("我们将爆.通.讯.录", "爆通讯录"),
    ("您的帳戶已凍結", "账户已冻结"),
    ("加ＱＱ：１２３４５６", "qq:123456"),
])
def test_span_maps_back_to_original(raw, word):
    n = normalize(raw)
    i = n.text.index(word)
    s, e = n.to_raw(i, i + len(word))
    quoted = raw[s:e]
    assert normalize(quoted).text == word
    assert quoted[0] == raw[s] and quoted  # exact slice of the original


def test_truncates_huge_input():
    n = normalize("催" * 1_000_000)
    assert n.truncated and len(n.text) <= 20_000


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("征信修复爆通讯录 .·-_*／　\u200b💰ＱＱ１３帳戶"), max_size=80),
       st.integers(0, 80), st.integers(0, 80))
def test_offset_map_is_consistent(raw, a, b):
    n = normalize(raw)
    assert len(n.starts) == len(n.ends) == len(n.text)
    assert list(n.starts) == sorted(n.starts) or n.reordered  # a right-to-left override is read in display order
    for s, e in zip(n.starts, n.ends):
        assert 0 <= s < e <= len(raw)
    if n.text:
        a, b = sorted((a % len(n.text), b % len(n.text)))
        s, e = n.to_raw(a, b + 1)
        assert 0 <= s < e <= len(raw)
        # the raw slice normalises to a text that contains the normalised span's characters in order
        ocr = str.maketrans("oli|", "0111")  # OCR fixes depend on the neighbours a slice may cut off
        piece = normalize(raw[s:e]).text.translate(ocr)
        want = n.text[a:b + 1].strip().translate(ocr)
        it = iter(piece)
        assert all(c in it for c in want.replace(" ", ""))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_never_raises(raw):
    normalize(raw)


def test_lone_surrogates_and_controls():
    n = normalize("逾期\ud800\x00\x07催收\udfff")
    assert n.text == "逾期催收"


def test_the_fold_table_stays_bounded_and_exact_when_it_is_emptied(monkeypatch):
    """The per-character table is bounded; emptying it in the middle of a message (many distinct
    characters) never breaks the offset map."""
    from verifier import normalize as nm

    texts = ["Ｆｕｌｌ　ｗｉｄｔｈ 征\u200b信 ㈱ 逾期", "".join(chr(0x4E00 + i) for i in range(300)) + "\u200b尾号１２３４"]
    want = [nm.normalize(t) for t in texts]
    monkeypatch.setattr(nm._FoldTable, "LIMIT", 16)
    table = nm._FoldTable()
    monkeypatch.setattr(nm, "_FOLD", table)
    for t, w in zip(texts, want):
        got = nm.normalize(t)
        assert (got.text, got.starts, got.ends) == (w.text, w.starts, w.ends)
    assert len(table) <= 16 and table.generation > 0
