"""Kill a load part-way through its inserts, for the tests that nothing stored is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

# Slows the third insert of a load (in a child process) and says so, so the test can kill it there.
_KILLER = """
import sys, time
import carestat.warehouse.loading as loading
from carestat.warehouse import load
real = loading.insert_frame
calls = {"n": 0}
def slow(con, table, frame):
    calls["n"] += 1
    real(con, table, frame)
    if calls["n"] == 3:
        print("INSERTING", flush=True)
        time.sleep(60)
loading.insert_frame = slow
if __name__ == "__main__":
    load([sys.argv[1]], db=sys.argv[2], workers=1)
"""


def kill_load_mid_insert(source: Path, db: Path, work: Path, key: str) -> None:
    """Start loading ``source`` into ``db`` in another process and SIGKILL it mid-insert."""
    script = work / "killer.py"
    script.write_text(_KILLER)
    proc = subprocess.Popen([sys.executable, str(script), str(source), str(db)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "CARESTAT_KEY": key})
    deadline, line = time.time() + 120, ""
    while time.time() < deadline and "INSERTING" not in line:
        line = proc.stdout.readline()
    assert "INSERTING" in line, "the load never reached the insert"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
