"""check_many / check_file / `verifier check -f` on several processes: the verdicts and their
order are those of one process; Ctrl-C, a closed pipe and an early stop end the workers."""
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor

import pytest
from _scale_data import items as scale_items

from verifier import check_file, check_many, parallel


@pytest.fixture
def submits(monkeypatch):
    """Counts the batches sent to worker processes (so a test knows the pool was used)."""
    calls = []
    real = ProcessPoolExecutor.submit

    def spy(self, *a, **k):
        calls.append(1)
        return real(self, *a, **k)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", spy)
    return calls


def _no_children_left(timeout=10.0):
    end = time.monotonic() + timeout
    while multiprocessing.active_children() and time.monotonic() < end:
        time.sleep(0.1)
    return not multiprocessing.active_children()


def test_two_jobs_give_the_verdicts_of_one_in_order(submits):
    msgs = scale_items(3000, seed=23)
    msgs[10] = {"text": lambda: "not a text"}      # cannot be pickled: that batch is checked here
    msgs[11] = {"text": "", "sender": "95555"}      # empty
    msgs[12] = b"\xe8\xaf\xb7\xe8\xbf\x98\xe6\xac\xbe"  # bytes: decoded
    one = [v.to_dict() for v in check_many(msgs, jobs=1)]
    assert not submits
    two = [v.to_dict() for v in check_many(msgs, jobs=2)]
    assert len(submits) >= 5
    assert two == one
    assert one[10]["decided_by"] == "empty" and one[11]["decided_by"] == "empty"
    assert _no_children_left()


def test_check_file_with_jobs_matches_one_process(tmp_path, submits):
    msgs = scale_items(2600, seed=29)
    p = tmp_path / "inbox.jsonl"
    p.write_text("\n".join(json.dumps(m, ensure_ascii=False) for m in msgs) + "\n", encoding="utf-8")
    one = [(meta["line"], v.to_dict()) for meta, _, v in check_file(p, explain=False)]
    two = [(meta["line"], v.to_dict()) for meta, _, v in check_file(p, explain=False, jobs=2)]
    assert submits and two == one and len(one) == len(msgs)


def test_a_small_input_is_checked_in_this_process(submits):
    out = list(check_many(["【招商银行】您的账单已出。", "请把钱转到安全账户6222021234567890123"], jobs=4))
    assert [v.label for v in out] == [v.label for v in check_many(["【招商银行】您的账单已出。", "请把钱转到安全账户6222021234567890123"])]
    assert not submits


def test_memory_stays_bounded_and_an_early_stop_ends_the_workers(submits):
    msgs = scale_items(2000, seed=31)
    pulled = [0]
    done = [0]
    most = [0]

    def source():
        for i in range(40_000):
            pulled[0] += 1
            most[0] = max(most[0], pulled[0] - done[0])
            yield msgs[i % len(msgs)]

    gen = check_many(source(), jobs=2, explain=False)
    for _ in gen:
        done[0] += 1
        if done[0] == 6000:
            break
    gen.close()
    # never more than the batches in flight (and the one being read) ahead of the consumer
    assert most[0] <= (2 * parallel.IN_FLIGHT + 1) * 512 + parallel.MIN_CHUNKS * 512
    assert pulled[0] < 20_000
    assert _no_children_left()


@pytest.mark.parametrize("bad", [-1, 2.5, "two", True])
def test_bad_jobs_is_a_value_error(bad):
    with pytest.raises(ValueError):
        list(check_many(["a message"], jobs=bad))


def _inbox(tmp_path, n, seed=37):
    p = tmp_path / "inbox.jsonl"
    p.write_text("\n".join(json.dumps(m, ensure_ascii=False) for m in scale_items(n, seed=seed)) + "\n", encoding="utf-8")
    return p


def _cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "verifier.cli", *args], capture_output=True, text=True, timeout=600, **kw)


def test_cli_jobs_gives_the_same_lines(tmp_path):
    p = _inbox(tmp_path, 2500)
    one = _cli("check", "-f", str(p), "--json", "--jobs", "1")
    two = _cli("check", "-f", str(p), "--json", "--jobs", "2")
    assert one.returncode == two.returncode == 0, two.stderr[-800:]
    assert one.stdout == two.stdout and len(one.stdout.splitlines()) == 2500
    for bad in ("0", "-3", "many"):
        r = _cli("check", "-f", str(p), "--jobs", bad)
        assert r.returncode == 2 and "Traceback" not in r.stderr and "--jobs" in r.stderr


def _procs_with(mark: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    if mark.encode() in f.read():
                        found.append(int(pid))
            except OSError:
                continue
    return found


def _gone(mark: str, timeout=15.0) -> bool:
    end = time.monotonic() + timeout
    while _procs_with(mark) and time.monotonic() < end:
        time.sleep(0.2)
    return not _procs_with(mark)


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to find the worker processes")
def test_cli_ctrl_c_and_a_closed_pipe_exit_cleanly(tmp_path):
    p = _inbox(tmp_path, 12_000)
    mark = f"VERIFIER_TEST_{uuid.uuid4().hex}"
    env = dict(os.environ, **{mark: "1"})
    # a reader that leaves after the first line
    proc = subprocess.Popen([sys.executable, "-m", "verifier.cli", "check", "-f", str(p), "--json", "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    first = proc.stdout.readline()
    assert json.loads(first)["label"]
    proc.stdout.close()
    rc = proc.wait(timeout=120)
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert rc == 0 and "Traceback" not in err, err[-800:]
    assert _gone(mark)
    # Ctrl-C (SIGINT to the whole process group, as a terminal does)
    proc = subprocess.Popen([sys.executable, "-m", "verifier.cli", "check", "-f", str(p), "--json", "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    assert json.loads(proc.stdout.readline())["label"]
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-800:]
    assert b"Traceback" not in err and b"interrupted" in err
    assert _gone(mark)


def test_jobs_zero_or_none_means_all_cores():
    from verifier.checker import _jobs

    assert _jobs(0) == _jobs(None) == (os.cpu_count() or 1)
