"""100,000 messages on a local Dask cluster (two worker processes on 127.0.0.1, no dashboard):
the verdicts are those of one process, bursts included."""
import json

import pytest
from _scale_data import items as scale_items

from verifier import check_many, timeline

import dask  # noqa: E402,F401  dask[distributed] is in the test extra: this test is never skipped


@pytest.fixture(scope="module")
def client():
    from verifier.scale import local_client

    with local_client(n_workers=2) as c:
        addr = c.scheduler.address
        assert addr.startswith(("tcp://127.0.0.1:", "inproc://")), addr
        assert all(w.startswith("tcp://127.0.0.1:") for w in c.scheduler_info()["workers"])
        yield c


def test_100k_messages_on_a_dask_cluster_match_one_process(client):
    from verifier.scale import check_many_dask

    msgs = scale_items(100_000, seed=19)
    flags = timeline.burst_flags((m["sender"], m["received_at"]) for m in msgs)
    assert sum(flags) > len(msgs) // 20  # bursts occur
    one = [v.to_dict() for v in check_many(msgs, explain=False)]
    many = [v.to_dict() for v in check_many_dask(msgs, client, explain=False, partition_size=5_000)]
    assert len(many) == len(one) == len(msgs)
    assert many == one
    assert sum(1 for d in one if d["label"] != "legitimate") > len(msgs) // 10


def test_full_verdicts_on_a_slice_match_one_process(client):
    from verifier.scale import check_many_dask

    msgs = scale_items(4_000, seed=41)
    one = [v.to_dict() for v in check_many(msgs)]
    many = [v.to_dict() for v in check_many_dask(msgs, client, partition_size=700)]
    assert many == one
    assert any(any(e["signal"] == "burst_collection" for e in d["evidence"]) for d in one)


def test_a_bag_grouped_by_sender_on_the_cluster(client, tmp_path):
    """The recipe for files too big for one machine: keys grouped by sender on the cluster, then
    the check, the verdicts written by the workers."""
    import dask.bag as db

    from verifier.scale import burst_index, check_bag

    msgs = scale_items(6_000, seed=43)
    paths = []
    for k in range(3):
        p = tmp_path / f"inbox-{k}.jsonl"
        p.write_text("\n".join(json.dumps(m, ensure_ascii=False) for m in msgs[k * 2000:(k + 1) * 2000]) + "\n", encoding="utf-8")
        paths.append(str(p))
    bag = db.read_text(paths, blocksize=None).map(json.loads)
    index = burst_index(bag)
    flags = timeline.burst_flags((m["sender"], m["received_at"]) for m in msgs)
    assert [index.flag(m["sender"], m["received_at"]) for m in msgs] == flags
    check_bag(bag, index, explain=False).map(json.dumps).to_textfiles(str(tmp_path / "out-*.jsonl"))
    got = [json.loads(line) for k in range(3) for line in (tmp_path / f"out-{k}.jsonl").read_text().splitlines()]
    assert got == [v.to_dict() for v in check_many(msgs, explain=False)]
