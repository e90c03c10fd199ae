"""Fixtures of the graph tests that need a Bolt server (see ``tests/graph/bolt_server.py``)."""

from __future__ import annotations

import os

import pytest

from graph.neo4j_store import Neo4jStore
from tests.graph.bolt_server import MARKER, open_store, start_private


@pytest.fixture(scope="session")
def bolt(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """Connection settings of the server the tests use (see ``bolt_server``)."""
    if os.environ.get("NEO4J_URI"):
        yield {"uri": os.environ["NEO4J_URI"], "user": os.environ.get("NEO4J_USER"),
               "password": os.environ.get("NEO4J_PASSWORD"), "falkordb_url": os.environ.get("FALKORDB_URL")}  # fmt: skip
        return
    server = start_private(tmp_path_factory)
    yield {"uri": server.uri, "user": None, "password": None, "falkordb_url": server.falkordb_url}
    server.stop()


@pytest.fixture(scope="session")
def store(bolt) -> Neo4jStore:  # noqa: ANN001
    """The server, opened; it may be wiped (it holds the `MARKER` node, or nothing)."""
    s = open_store(bolt)
    others = s.read(f"MATCH (n) WHERE NOT n:{MARKER} RETURN count(n) AS n")[0]["n"]
    ours = s.read(f"MATCH (n:{MARKER}) RETURN count(n) AS n")[0]["n"]
    if others and not ours:
        pytest.skip(f"{bolt['uri']} holds data these tests did not make; refusing to wipe it "
                    "(point NEO4J_URI at an empty scratch database)")  # fmt: skip
    s.write(f"MERGE (:{MARKER} {{id: 'marker'}})")
    return s
