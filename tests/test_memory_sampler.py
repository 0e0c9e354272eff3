"""The benchmark's memory measure: the PSS of a process and its descendants, summed (benchmarks/memory.py)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from memory import PssSampler, pss_kib, tree_of  # noqa: E402

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/smaps_rollup")

MIB = 1024

# A parent holds its own block, forks a child that holds another; both wait to be sampled, then end.
HOLDERS = r"""
import os, sys, time
parent_block = bytearray(os.urandom(1)) * (int(sys.argv[1]) * 2**20)
child = os.fork()
if child == 0:
    child_block = bytearray(os.urandom(1)) * (int(sys.argv[2]) * 2**20)
    print("child", flush=True)
    time.sleep(3)
    os._exit(0)
print("parent", flush=True)
os.waitpid(child, 0)
"""


def test_the_sampler_sums_a_parent_and_its_forked_child() -> None:
    parent_mib, child_mib = 120, 200
    process = subprocess.Popen([sys.executable, "-c", HOLDERS, str(parent_mib), str(child_mib)],
                               stdout=subprocess.PIPE, text=True)
    with PssSampler(process.pid, interval=0.05) as sampler:
        assert process.stdout is not None
        seen = {process.stdout.readline().strip(), process.stdout.readline().strip()}
        assert seen == {"parent", "child"}
        time.sleep(0.5)  # both blocks held: let it sample them
        tree = tree_of(process.pid)
        assert len(tree) == 2, tree  # the parent and its forked child
        largest_now = max(pss_kib(pid) for pid in tree)
        process.wait()
    assert sampler.samples >= 5
    # the fork shares the parent's block copy-on-write: PSS splits it, the sum counts it once
    assert sampler.peak_kib >= (parent_mib + child_mib) * MIB
    assert sampler.peak_kib < (2 * parent_mib + child_mib) * MIB
    # more than the largest process (the child: its block and half the parent's) alone: the parent's half too
    assert sampler.peak_kib > largest_now + parent_mib // 2 * MIB * 9 // 10
    assert sampler.largest_kib >= largest_now


def test_an_ended_process_weighs_nothing() -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    assert pss_kib(process.pid) == 0
