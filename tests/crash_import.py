"""Test-only entry: `python -m tests.crash_import ARGS...` is `python -m
events ARGS...` whose store writes stop at their commit, saying so on
stderr, until standard input gives a line: how test_crash kills an import
midway. The pause is installed here, not read from the environment by the
product."""

import sys

from events import duckdb_store
from events.__main__ import main


def _pause_then_commit(con) -> None:
    print("paused before commit", file=sys.stderr, flush=True)
    sys.stdin.readline()
    con.execute("COMMIT")


if __name__ == "__main__":
    duckdb_store._commit = _pause_then_commit
    sys.exit(main(sys.argv[1:]))
