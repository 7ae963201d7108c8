"""``python -m carestat``: the same as the ``carestat`` command."""

from carestat.cli import run

run()
