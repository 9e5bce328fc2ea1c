#!/usr/bin/env python3
"""Build verifier/jieba_dict.txt: jieba's most frequent words plus the domain words.

jieba's full dictionary (349k words) takes ~0.8 s to load; the 60k most frequent words load in
~0.06 s and cover what SMS use. Domain words get a high frequency so jieba keeps them whole.
Re-run after changing DOMAIN_WORDS, then retrain (the model's word features depend on it).
"""
import sys
from pathlib import Path

TOP = 60_000
DOMAIN_FREQ = 50_000
DOMAIN_WORDS = """催收 逾期 征信 征信修复 消除逾期 注销账户 注销校园贷 校园贷 学生账户 爆通讯录 通讯录 紧急联系人 安全账户 个人账户 对公账户 验证码 屏幕共享 共享屏幕 上门 外访 户籍地 恶意拖欠 诈骗罪 立案 拘留 黑名单 失信 法务部 调解中心 律师函 起诉 仲裁 强制执行 还款 扣款失败 最低还款 到期还款日 账单 分期 退订 官方App 手机银行 客服热线 花呗 借呗 网商贷 微粒贷 京东金条 京东白条 美团月付 美团生活费 360借条 奇富借条 分期乐 有钱花 度小满 招联金融 好期贷 安逸花 马上消费 还呗 拍拍贷 放心借 保证金 解冻 手续费 流水 验证还款能力 不要脸 老赖 曝光 """.split()


def main() -> int:
    import jieba

    src = Path(jieba.__file__).with_name("dict.txt")
    rows = []
    with open(src, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                rows.append((parts[0], int(parts[1])))
    rows.sort(key=lambda r: (-r[1], r[0]))
    words = dict(rows[:TOP])
    for w in DOMAIN_WORDS:
        words[w] = max(words.get(w, 0), DOMAIN_FREQ)
    out = Path(__file__).resolve().parent.parent / "verifier" / "jieba_dict.txt"
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for w, n in sorted(words.items(), key=lambda r: (-r[1], r[0])):
            f.write(f"{w} {n}\n")
    print(f"wrote {out}: {len(words)} words", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
