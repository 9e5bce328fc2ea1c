"""Offline and private: no network connection is ever attempted, verdicts are identical with
sockets disabled, and no message text is written to logs or caches."""
import json
import os
import subprocess
import sys
import textwrap

MESSAGES = [
    "【京东金融】您的白条已逾期，点击 jd-jinrong.cn/pay 立即处理，逾期将上报征信。",
    "【招商银行】您尾号6688信用卡本期账单5,680.12元，到期还款日07月25日。",
    "您好，您的账户存在异常，请加QQ 88886666 联系客服处理。",
]

SCRIPT = textwrap.dedent("""
    import json, socket, sys
    attempts = []
    class NoNet(socket.socket):
        def connect(self, *a, **k):
            attempts.append(a); raise OSError("network disabled in test")
        def connect_ex(self, *a, **k):
            attempts.append(a); return 1
    def no_dns(*a, **k):
        attempts.append(("dns",) + a); raise OSError("dns disabled in test")
    if sys.argv[1] == "cut":
        socket.socket = NoNet
        socket.create_connection = lambda *a, **k: (attempts.append(a), (_ for _ in ()).throw(OSError("no net")))[1]
        socket.getaddrinfo = no_dns
        socket.gethostbyname = no_dns
    from verifier import check
    msgs = json.loads(sys.stdin.read())
    out = [check(m).to_dict() for m in msgs]
    print(json.dumps({"verdicts": out, "attempts": len(attempts)}, ensure_ascii=False))
""")


def _run(mode, home):
    env = dict(os.environ, HOME=str(home), XDG_CACHE_HOME=str(home / "cache"))
    r = subprocess.run([sys.executable, "-c", SCRIPT, mode], input=json.dumps(MESSAGES), capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "", r.stderr  # no logging noise (tldextract would log a network error)
    return json.loads(r.stdout)


def test_same_verdicts_with_network_cut_and_no_attempts(tmp_path):
    on = _run("on", tmp_path)
    cut = _run("cut", tmp_path)
    assert cut["attempts"] == 0
    assert on["verdicts"] == cut["verdicts"]


def test_no_message_text_in_caches(tmp_path):
    _run("on", tmp_path)
    for root, _, files in os.walk(tmp_path):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                data = fh.read()
            for m in MESSAGES:
                assert m[:10].encode() not in data, f"message text found in {f}"
