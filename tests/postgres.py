"""A throwaway PostgreSQL cluster for the tests (a pytest plugin).

`postgres_server` (session scope) runs `initdb` in a temporary directory
(as the `postgres` user when the tests run as root: initdb refuses root),
starts the server on 127.0.0.1 at a free port with its unix socket in that
directory, and stops it when the session ends. `postgres_dsn` gives each
test an empty database of its own. Without PostgreSQL's programs the tests
skip, saying why (under CI=true conftest makes that a failure).

`throwaway_cluster` is the same start and stop as a context manager,
without pytest: the fixtures and the benches (`bench/backends_bench.py`,
`bench/load_bench.py`) start their servers through it.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

_SEARCHED = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _bin_dir() -> Path | None:
    """Where initdb and pg_ctl are: PG_BIN, the newest Debian cluster, or PATH."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    for candidate in _SEARCHED:
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    """A running throwaway cluster."""

    bin: Path
    data: Path
    socket_dir: Path
    port: int
    user: str
    as_postgres: bool
    _numbers = itertools.count(1)

    def run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def dsn(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.data / "server.log"), "-w", "-t", "60",
                 "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.socket_dir} -c fsync=off"
                 " -c max_connections=100", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def createdb(self) -> str:
        """A new empty database; its DSN."""
        name = f"events_{next(self._numbers)}"
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "-E", "UTF8", "-T",
                 "template0", name)
        return self.dsn(name)


def start_cluster(root: Path) -> Cluster:
    """initdb and start a cluster under `root` (made readable by postgres when root)."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin, in PG_BIN"
                                " or on PATH); `make test` installs Debian's postgresql")
    as_postgres = os.geteuid() == 0
    if as_postgres:
        shutil.chown(root, "postgres")
    cluster = Cluster(bin_dir, root / "data", root, _free_port(), "postgres" if as_postgres else os.environ.get(
        "USER", "postgres"), as_postgres)
    if not as_postgres:
        cluster.user = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip() or cluster.user
    # C.UTF-8: text sorts by code point, as in DuckDB, and lower() knows every script.
    cluster.run("initdb", "-D", str(cluster.data), "-U", cluster.user, "-A", "trust", "-E", "UTF8",
                "--locale=C.UTF-8", "--no-sync")
    cluster.start()
    return cluster


@contextmanager
def throwaway_cluster(prefix: str = "events-pg-") -> Iterator[Cluster]:
    """A cluster in a new temporary directory, stopped (immediately) and
    removed on leaving. Raises FileNotFoundError without PostgreSQL's
    programs, CalledProcessError when the server does not start."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        cluster = start_cluster(root)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _cluster_or_skip(prefix: str) -> Iterator[Cluster]:
    """`throwaway_cluster` for a fixture: skips without PostgreSQL, fails
    when the server does not start. (The tests' own errors never reach
    here: pytest resumes a fixture's generator without them.)"""
    try:
        with throwaway_cluster(prefix) as cluster:
            yield cluster
    except FileNotFoundError as err:
        pytest.skip(str(err))
    except subprocess.CalledProcessError as err:
        pytest.fail(f"the throwaway PostgreSQL cluster did not start: {err.stderr or err.stdout}")


@pytest.fixture(scope="session")
def postgres_server():
    """The session's cluster (skips when PostgreSQL is absent)."""
    with _cluster_or_skip("events-pg-") as cluster:
        yield cluster


@pytest.fixture
def postgres_dsn(postgres_server) -> str:
    """An empty database of its own for one test."""
    return postgres_server.createdb()


@pytest.fixture
def own_postgres_server():
    """A cluster of its own for one test that stops or restarts its server."""
    with _cluster_or_skip("events-pg-own-") as cluster:
        yield cluster
