"""The Bolt server the Neo4j tests share: which one, starting a private one, wiping it.

Which server: ``NEO4J_URI`` (and ``NEO4J_USER``/``NEO4J_PASSWORD``, ``FALKORDB_URL``) when set
(`.ci/setup-neo4j` sets them in CI); otherwise a private FalkorDB Bolt test server is started
from ``.ci/neo4j/start.sh`` on free loopback ports for the test session and stopped after it;
when that is impossible the tests that need it are skipped with the reason. The fixtures
(``bolt``, ``store``) are in ``tests/graph/conftest.py``, so every test module shares one
server. Tests wipe the database: `store` refuses a server whose database holds data the tests
did not make (no `MARKER` node).
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from graph.neo4j_store import Neo4jStore

__all__ = ["ROOT", "SERVER", "MARKER", "PrivateServer", "free_port", "start_private", "open_store",
           "wipe"]  # fmt: skip

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / ".ci" / "neo4j"
MARKER = "TiegraphTest"  # a node the tests leave behind: "this database is ours to wipe"


def free_port(lo: int = 20000, hi: int = 32000) -> int:
    rng = random.Random()
    for _ in range(200):
        port = rng.randint(lo, hi)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError("no free port")


class PrivateServer:
    """A FalkorDB Bolt test server of our own (start.sh / stop.sh with private ports)."""

    def __init__(self, state_dir: Path):
        self.bolt, self.redis = free_port(), free_port()
        self.env = {**os.environ, "PYTHON": sys.executable, "NEO4J_TEST_BOLT_PORT": str(self.bolt),
                    "NEO4J_TEST_REDIS_PORT": str(self.redis), "NEO4J_TEST_STATE_DIR": str(state_dir)}  # fmt: skip
        self.uri = f"bolt://127.0.0.1:{self.bolt}"
        self.falkordb_url = f"redis://127.0.0.1:{self.redis}"

    def start(self) -> None:
        out = subprocess.run([str(SERVER / "start.sh")], env=self.env, capture_output=True, text=True, timeout=300, check=False)
        if out.returncode != 0:
            raise OSError(f"start.sh failed: {out.stderr.strip()[-400:]}")

    def stop(self) -> None:
        subprocess.run([str(SERVER / "stop.sh")], env=self.env, capture_output=True, timeout=60, check=False)


def start_private(tmp_path_factory: pytest.TempPathFactory) -> PrivateServer:
    if not (SERVER / "start.sh").exists():
        pytest.skip(f"no Bolt server: NEO4J_URI is unset and {SERVER}/start.sh is missing")
    server = PrivateServer(tmp_path_factory.mktemp("neo4j-server"))
    try:
        server.start()
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.skip(f"no Bolt server: NEO4J_URI is unset and the test server did not start ({e})")
    return server


def open_store(bolt: dict) -> Neo4jStore:
    return Neo4jStore.open(bolt["uri"], bolt["user"], bolt["password"],
                           falkordb_url=bolt["falkordb_url"], retry_seconds=0)  # fmt: skip


def wipe(store: Neo4jStore) -> None:
    store.write(f"MATCH (n) WHERE NOT n:{MARKER} DETACH DELETE n")
    store._meta_cache = None
