#!/usr/bin/env python3
"""Speed of verifier on the same messages, with a naive keyword baseline as the yardstick.

    python scripts/bench.py [--n 10000] [--json]

Prints: import time of `verifier`; CLI cold start to the first verdict (a fresh process) next to
a bare `python -c "import sklearn"`; per-message p50/p99 latency of check() after warm-up;
check_many() throughput on N messages; peak RSS; and the baseline's figures with the ratio.
Timing uses the standard library only; run it on an idle machine.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO.parent / "shared" / "eval"))


def messages(n: int) -> list[dict]:
    rows = []
    for p in sorted((REPO / "data" / "corpus").glob("*.jsonl")):
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                rows.append({"text": r["text"], "sender": r.get("sender"), "received_at": r.get("received_at")})
    if not rows:
        rows = [{"text": "【招商银行】您尾号1234的信用卡本期账单1,570.44元，请于07月15日前还款。", "sender": "95555", "received_at": None}]
    return [rows[i % len(rows)] for i in range(n)]


def keyword_baseline(text, sender=None):
    scam = ["转账", "私人账户", "验证码", "注销", "征信修复", "消除逾期", "解冻", "手续费", "加微信", "加QQ", "下载", "屏幕共享", "安全账户", "http", "www"]
    abuse = ["通讯录", "家人", "单位", "曝光", "上门", "坐牢", "拘留", "诈骗罪", "立案", "公安", "老赖", "死"]
    if any(k in text for k in scam):
        return "scam"
    if any(k in text for k in abuse):
        return "abusive"
    if not any(k in text for k in "【】"):
        return "suspicious"
    return "legitimate"


def fresh(cmd: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=str(REPO))
        best = min(best, time.perf_counter() - t)
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000, help="messages for the throughput run")
    ap.add_argument("--latency-n", type=int, default=2_000, help="messages for the latency run")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    py = sys.executable
    out: dict = {"machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}"}

    out["import_verifier_s"] = fresh([py, "-c", "import verifier"])
    out["import_sklearn_s"] = fresh([py, "-c", "import sklearn"])
    msg = "【招商银行】您尾号1234的信用卡本期账单1,570.44元，请于07月15日前还款。"
    out["cli_cold_start_s"] = fresh([py, "-m", "verifier.cli", "check", "--json", msg])
    out["cli_minus_sklearn_s"] = round(out["cli_cold_start_s"] - out["import_sklearn_s"], 3)

    from verifier import check, check_many

    msgs = messages(max(a.n, a.latency_n))
    for m in msgs[:200]:  # warm-up: model, jieba, caches
        check(m["text"], sender=m["sender"], received_at=m["received_at"])
    lat = []
    for m in msgs[: a.latency_n]:
        t = time.perf_counter()
        check(m["text"], sender=m["sender"], received_at=m["received_at"])
        lat.append(time.perf_counter() - t)
    lat.sort()
    out["check_p50_ms"] = round(1000 * statistics.median(lat), 3)
    out["check_p99_ms"] = round(1000 * lat[int(0.99 * (len(lat) - 1))], 3)
    t = time.perf_counter()
    n = sum(1 for _ in check_many(msgs[: a.n]))
    dt = time.perf_counter() - t
    out["check_many_msgs_per_s"] = round(n / dt, 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    blat = []
    for m in msgs[: a.latency_n]:
        t = time.perf_counter()
        keyword_baseline(m["text"], m["sender"])
        blat.append(time.perf_counter() - t)
    blat.sort()
    t = time.perf_counter()
    for m in msgs[: a.n]:
        keyword_baseline(m["text"], m["sender"])
    bdt = time.perf_counter() - t
    out["baseline_p50_ms"] = round(1000 * statistics.median(blat), 4)
    out["baseline_msgs_per_s"] = round(a.n / bdt, 1)
    out["throughput_ratio_baseline_over_verifier"] = round(out["baseline_msgs_per_s"] / out["check_many_msgs_per_s"], 1)

    if a.json:
        print(json.dumps(out))
    else:
        w = max(len(k) for k in out)
        for k, v in out.items():
            print(f"{k:<{w}}  {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
