"""The Neo4j store: push the workspace to a shared Neo4j and answer from it with Cypher.

The embedded workspace serves one person or a small team; a sales org shares one Neo4j.
`Neo4jStore` writes the same records there and answers the same questions from there:

* **Schema** (labels and types are fixed here, never taken from data)::

      (:Person {id, name, name_key, norm_name, company, company_id, title, team, owner,
                emails, linkedin})
      (:Company {id, name, norm, domain, industry})
      (:Person)-[:KNOWS {strength, frequency, recency, reciprocity, duration, overlap,
                         context, model_version, n_ab, n_ba, n_broadcast, n_<kind>...,
                         first, last, last_personal, ctx, ctx_value, colleague_at}]->(:Person)
      (:Person)-[:WORKS_AT {key, title, start, end, current}]->(:Company)
      (:TiegraphMeta {id: "sync", state_id, now_days, model_version, max_strength, ...})

  One ``KNOWS`` per tie, from the person with the lower id to the other (`n_ab` counts
  messages in that direction); queries match it undirected. Days (`first`, `last`,
  `last_personal`, `now_days`) are days since 1970 as floats: no temporal values cross the
  wire. Uniqueness constraints (or, where a server has none, indexes) come first.
* **Sync** (`Neo4jStore.sync`): ``UNWIND $rows ... MERGE`` in batches, so that re-sending a
  batch is harmless. A small SQLite file beside the workspace
  (``<workspace>.neo4j-sync.db``, `sync_state_path`) keeps a content hash of every row sent,
  per server, so the next sync sends only what changed and deletes what the workspace no
  longer has (people removed by ``forget``, ties that went away). A batch is recorded there
  only after the server accepted it: a sync that fails (server down, a rejected batch) is
  reported with the batch that failed and finishes when run again, and a batch the server
  half-wrote (servers without rollback) is simply sent again. When the server's data is not
  what the state file remembers (a wiped or re-created database), or with ``full=True``, the
  sync sends everything and sweeps what it did not send.
* **Answers** (`Neo4jStore.intro`, `top_paths`, `reach_counts`): the bounded warm-intro
  search of `graph.intro` as explicit 1-, 2- and 3-hop Cypher patterns, with the same scoring
  (product of tie strengths times ``hop_penalty ** (hops - 1)``, simple paths, at most
  `per_introducer` paths per introducer) and the same exact top-k: a threshold θ bounds every
  hop on the server, the scores are recomputed here exactly as the embedded engine computes
  them and selected with the same rule; θ falls until `k` paths are certain. Names resolve on
  the server (`find_person`, `resolve_target`) with the workspace's rules, so a teammate
  needs only the server, not the workspace file.

Connection: ``bolt://`` or ``neo4j://`` URI with user and password, from arguments or
``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``; one driver per
process and connection settings (`neo4j.Driver` is thread-safe and pools connections);
``execute_query`` (a managed transaction the driver retries on transient failures) with
read routing for reads; parameters only.

Servers: Neo4j 5 or later, and the FalkorDB Bolt listener used as a test server
(``.ci/neo4j/``). Both understand every query here except schema creation: Neo4j gets
``CREATE CONSTRAINT ... IF NOT EXISTS``; FalkorDB gets ``CREATE INDEX`` for what
``db.indexes()`` lacks and a unique constraint through its Redis port (``FALKORDB_URL``,
e.g. ``redis://127.0.0.1:16379``) when one is given.
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import logging
import math
import os
import re
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import blake2b
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from graph.build import CONTEXT_BITS, TieIndex, _days_to_datetime, load_index
from graph.errors import Ambiguous, NotFound, StoreError, UsageError
from graph.identity import norm_company, norm_email, norm_linkedin_url, norm_name
from graph.intro import (
    DEFAULT_HOP_PENALTY,
    DEFAULT_PER_INTRODUCER,
    IntroPath,
    IntroResult,
    RawPath,
    Target,
    _select,
)
from graph.model import INTERACTION_KINDS
from graph.privacy import ViewerIndex, findable, read_levels, visible_index
from graph.strength import COMPONENTS, CONTEXTS, TieEvidence, explain
from graph.targets import title_matches

__all__ = [
    "Neo4jStore",
    "Neo4jConfig",
    "SyncData",
    "SyncReport",
    "TieRows",
    "ListRows",
    "workspace_sync_data",
    "sync_state_path",
    "forget_synced",
    "LABELS",
    "TYPES",
]

log = logging.getLogger(__name__)

#: The only labels and relationship types tiegraph writes; Cypher never takes them from data.
LABELS = {"person": "Person", "company": "Company", "meta": "TiegraphMeta"}
TYPES = {"knows": "KNOWS", "works_at": "WORKS_AT"}

#: Per-kind interaction counts on a KNOWS relationship (``n_email``, ``n_crm_owner``, ...).
COUNT_PROPS = tuple("n_" + k.replace("-", "_") for k in INTERACTION_KINDS)

# Row layouts: rows travel as lists (a third of the bytes of maps) in these field orders.
COMPANY_FIELDS = ("id", "name", "norm", "domain", "industry")
PERSON_FIELDS = ("id", "name", "name_key", "norm_name", "company", "company_id", "title",
                 "team", "owner", "emails", "linkedin")  # fmt: skip
POSITION_FIELDS = ("key", "person", "company", "title", "start", "end", "current")
TIE_FIELDS = ("a", "b", "strength", *COMPONENTS, "n_ab", "n_ba", "n_broadcast", "first",
              "last", "last_personal", "ctx", "ctx_value", "colleague_at", *COUNT_PROPS)  # fmt: skip

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _sets(var: str, fields: Sequence[str], start: int) -> str:
    """``var.`f1` = r[start], var.`f2` = r[start+1], ...`` for fixed field names from this
    module (asserted to be plain identifiers; never data)."""
    for f in fields:
        if not _IDENT.match(f):
            raise ValueError(f"not a property name: {f!r}")
    return ", ".join(f"{var}.`{f}` = r[{start + i}]" for i, f in enumerate(fields))


# ---------------------------------------------------------------------- Cypher (constants)
UPSERT_COMPANIES = (
    "UNWIND $rows AS r MERGE (c:Company {id: r[0]}) "
    f"SET {_sets('c', COMPANY_FIELDS[1:], 1)}, c.sync_run = $run RETURN count(c) AS n"
)
UPSERT_PEOPLE = (
    "UNWIND $rows AS r MERGE (p:Person {id: r[0]}) "
    f"SET {_sets('p', PERSON_FIELDS[1:], 1)}, p.sync_run = $run RETURN count(p) AS n"
)
UPSERT_POSITIONS = (
    "UNWIND $rows AS r MATCH (p:Person {id: r[1]}) MATCH (c:Company {id: r[2]}) "
    "MERGE (p)-[w:WORKS_AT {key: r[0]}]->(c) "
    f"SET {_sets('w', POSITION_FIELDS[3:], 3)}, w.sync_run = $run RETURN count(w) AS n"
)
UPSERT_TIES = (
    "UNWIND $rows AS r MATCH (a:Person {id: r[0]}) MATCH (b:Person {id: r[1]}) "
    "MERGE (a)-[k:KNOWS]->(b) "
    f"SET {_sets('k', TIE_FIELDS[2:], 2)}, k.model_version = $mv, k.sync_run = $run "
    "RETURN count(k) AS n"
)
DELETE_TIES = (
    "UNWIND $rows AS r MATCH (:Person {id: r[0]})-[k:KNOWS]->(:Person {id: r[1]}) DELETE k"
)
DELETE_POSITIONS = (
    "UNWIND $rows AS r MATCH (:Person {id: r[0]})-[w:WORKS_AT {key: r[1]}]->(:Company) DELETE w"
)
DELETE_PEOPLE = "UNWIND $rows AS r MATCH (p:Person {id: r[0]}) DETACH DELETE p"
DELETE_COMPANIES = "UNWIND $rows AS r MATCH (c:Company {id: r[0]}) DETACH DELETE c"
#: Full sync: remove, a slice at a time, what this run did not write.
SWEEP = {
    "ties": "MATCH (:Person)-[k:KNOWS]->(:Person) WHERE k.sync_run IS NULL OR k.sync_run <> $run "
    "WITH k LIMIT $limit DELETE k RETURN count(*) AS n",
    "positions": "MATCH (:Person)-[w:WORKS_AT]->(:Company) WHERE w.sync_run IS NULL OR "
    "w.sync_run <> $run WITH w LIMIT $limit DELETE w RETURN count(*) AS n",
    "people": "MATCH (p:Person) WHERE p.sync_run IS NULL OR p.sync_run <> $run "
    "WITH p LIMIT $limit DETACH DELETE p RETURN count(*) AS n",
    "companies": "MATCH (c:Company) WHERE c.sync_run IS NULL OR c.sync_run <> $run "
    "WITH c LIMIT $limit DETACH DELETE c RETURN count(*) AS n",
}
META_BEGIN = "MERGE (m:TiegraphMeta {id: 'sync'}) SET m.state_id = $state_id, m.complete = false"
META_END = (
    "MERGE (m:TiegraphMeta {id: 'sync'}) SET m.state_id = $state_id, m.complete = true, "
    "m.now_days = $now_days, m.model_version = $mv, m.generation = $generation, "
    "m.max_strength = $max_strength, m.synced_at = $synced_at, m.people = $people, "
    "m.ties = $ties"
)
META_READ = (
    "MATCH (m:TiegraphMeta {id: 'sync'}) RETURN m.state_id AS state_id, m.complete AS complete, "
    "m.now_days AS now_days, m.model_version AS model_version, m.generation AS generation, "
    "m.max_strength AS max_strength, m.synced_at AS synced_at, m.people AS people, m.ties AS ties"
)
COUNTS = {
    "people": "MATCH (p:Person) RETURN count(p) AS n",
    "companies": "MATCH (c:Company) RETURN count(c) AS n",
    "ties": "MATCH (:Person)-[k:KNOWS]->(:Person) RETURN count(k) AS n",
    "positions": "MATCH (:Person)-[w:WORKS_AT]->(:Company) RETURN count(w) AS n",
}

# schema: Neo4j 5+ (named, IF NOT EXISTS) ...
NEO4J_SCHEMA = (
    "CREATE CONSTRAINT tiegraph_person_id IF NOT EXISTS FOR (p:Person) REQUIRE p.id IS UNIQUE",
    "CREATE CONSTRAINT tiegraph_company_id IF NOT EXISTS FOR (c:Company) REQUIRE c.id IS UNIQUE",
    "CREATE CONSTRAINT tiegraph_meta_id IF NOT EXISTS FOR (m:TiegraphMeta) REQUIRE m.id IS UNIQUE",
    "CREATE INDEX tiegraph_person_name_key IF NOT EXISTS FOR (p:Person) ON (p.name_key)",
    "CREATE INDEX tiegraph_person_norm_name IF NOT EXISTS FOR (p:Person) ON (p.norm_name)",
    "CREATE INDEX tiegraph_person_company IF NOT EXISTS FOR (p:Person) ON (p.company_id)",
    "CREATE INDEX tiegraph_person_team IF NOT EXISTS FOR (p:Person) ON (p.team)",
    "CREATE INDEX tiegraph_person_owner IF NOT EXISTS FOR (p:Person) ON (p.owner)",
    "CREATE INDEX tiegraph_company_norm IF NOT EXISTS FOR (c:Company) ON (c.norm)",
    "CREATE INDEX tiegraph_works_at_key IF NOT EXISTS FOR ()-[w:WORKS_AT]-() ON (w.key)",
)
# ... and FalkorDB: (entity, label, property) -> CREATE INDEX, made only when missing
FALKOR_INDEXES = {
    ("NODE", "Person", "id"): "CREATE INDEX FOR (p:Person) ON (p.id)",
    ("NODE", "Person", "name_key"): "CREATE INDEX FOR (p:Person) ON (p.name_key)",
    ("NODE", "Person", "norm_name"): "CREATE INDEX FOR (p:Person) ON (p.norm_name)",
    ("NODE", "Person", "company_id"): "CREATE INDEX FOR (p:Person) ON (p.company_id)",
    ("NODE", "Person", "team"): "CREATE INDEX FOR (p:Person) ON (p.team)",
    ("NODE", "Person", "owner"): "CREATE INDEX FOR (p:Person) ON (p.owner)",
    ("NODE", "Company", "id"): "CREATE INDEX FOR (c:Company) ON (c.id)",
    ("NODE", "Company", "norm"): "CREATE INDEX FOR (c:Company) ON (c.norm)",
    ("NODE", "TiegraphMeta", "id"): "CREATE INDEX FOR (m:TiegraphMeta) ON (m.id)",
    ("RELATIONSHIP", "WORKS_AT", "key"): "CREATE INDEX FOR ()-[w:WORKS_AT]-() ON (w.key)",
}
FALKOR_UNIQUE = (("Person", "id"), ("Company", "id"), ("TiegraphMeta", "id"))
FALKOR_GRAPH = "falkordb"  # the graph FalkorDB's Bolt listener serves

# reads
# Each query binds its ends by index first and then walks (FalkorDB's planner would otherwise
# scan every Person); WITH keeps that order.
ROWMAX = (
    "MATCH (p:Person) WHERE p.id IN $ids MATCH (p)-[r:KNOWS]-(:Person) "
    "RETURN p.id AS id, max(r.strength) AS w"
)
PATHS_1 = (
    "MATCH (t:Person) WHERE t.id IN $targets "
    "MATCH (t)-[r1:KNOWS]-(s:Person) WHERE r1.strength >= $theta AND s.id IN $sources "
    "RETURN s.id AS s, t.id AS t, r1.strength AS w1"
)
PATHS_2 = (
    "MATCH (t:Person) WHERE t.id IN $targets "
    "MATCH (t)-[r2:KNOWS]-(m:Person) WHERE r2.strength >= $b2 AND NOT m.id IN $banned "
    "WITH t, m, r2.strength AS w2 "
    "MATCH (m)-[r1:KNOWS]-(s:Person) WHERE s.id IN $sources AND r1.strength * w2 * $p >= $theta "
    "RETURN s.id AS s, m.id AS m, t.id AS t, r1.strength AS w1, w2"
)
PATHS_3 = (
    "MATCH (s:Person) WHERE s.id IN $sources WITH collect(s) AS srcs "
    "MATCH (t:Person) WHERE t.id IN $targets "
    "MATCH (t)-[r3:KNOWS]-(b:Person) WHERE r3.strength >= $b3 AND NOT b.id IN $banned "
    "WITH srcs, t, b, r3.strength AS w3 "
    "MATCH (b)-[r2:KNOWS]-(a:Person) "
    "WHERE r2.strength * w3 >= $b23 AND a <> t AND NOT a.id IN $banned "
    "WITH srcs, t, b, a, w3, r2.strength AS w2 "
    "UNWIND srcs AS s "
    "MATCH (a)-[r1:KNOWS]-(s) WHERE s <> b AND r1.strength * w2 * w3 * $pp >= $theta "
    "RETURN s.id AS s, a.id AS a, b.id AS b, t.id AS t, r1.strength AS w1, w2, w3"
)
PEOPLE_INFO = (
    "UNWIND $ids AS pid MATCH (p:Person {id: pid}) RETURN p.id AS id, p.name AS name, "
    "p.company AS company, p.title AS title, p.team AS team, p.company_id AS company_id"
)
TIE_PROPS = (
    "UNWIND $pairs AS pr MATCH (a:Person {id: pr[0]})-[k:KNOWS]->(b:Person {id: pr[1]}) "
    "RETURN pr[0] AS a, pr[1] AS b, properties(k) AS props"
)
PERSON_BY_ID = "MATCH (p:Person {id: $v}) RETURN p.id AS id"
PEOPLE_BY_EMAIL = "MATCH (p:Person) WHERE $v IN p.emails RETURN p.id AS id"
PEOPLE_BY_LINKEDIN = "MATCH (p:Person) WHERE $v IN p.linkedin RETURN p.id AS id"
PEOPLE_BY_NAME_KEY = "MATCH (p:Person {name_key: $v}) RETURN p.id AS id"
PEOPLE_BY_NORM_NAME = "MATCH (p:Person {norm_name: $v}) RETURN p.id AS id"
PEOPLE_TEAM = "MATCH (p:Person {team: true}) RETURN p.id AS id"
PEOPLE_OWNERS = "MATCH (p:Person {owner: true}) RETURN p.id AS id"
PEOPLE_AT = "MATCH (p:Person {company_id: $v}) RETURN p.id AS id, p.title AS title"
COMPANY_BY_NORM = "MATCH (c:Company {norm: $v}) RETURN c.id AS id, c.name AS name"
COMPANY_BY_PREFIX = (
    "MATCH (c:Company) WHERE c.norm STARTS WITH $v "
    "RETURN c.id AS id, c.name AS name ORDER BY size(c.norm), c.id LIMIT 5"
)
#: People at exactly 1, 2, 3 hops from the sources: the ends of their ties, then the ends of
#: those people's ties and of the ties of the people first met at 2 hops, each person kept
#: once with the fewest hops it was met at. (Rows stay small: collecting whole levels into
#: lists and carrying them along makes FalkorDB copy them row by row.)
REACH = (
    "MATCH (s:Person) WHERE s.id IN $sources WITH collect(s) AS src UNWIND src AS s "
    "MATCH (s)-[r1:KNOWS]-(n1:Person) WHERE r1.strength >= $min "
    "WITH DISTINCT src, n1 "
    "OPTIONAL MATCH (n1)-[r2:KNOWS]-(n2:Person) WHERE r2.strength >= $min "
    "UNWIND [[n1, 1], [n2, 2]] AS pr "
    "WITH src, pr[0] AS n, min(pr[1]) AS d WHERE n IS NOT NULL "
    "OPTIONAL MATCH (n)-[r3:KNOWS]-(m:Person) WHERE d = 2 AND r3.strength >= $min "
    "UNWIND [[n, d], [m, d + 1]] AS pr "
    "WITH src, pr[0] AS x, min(pr[1]) AS d WHERE x IS NOT NULL AND NOT x IN src "
    "RETURN d, count(x) AS c ORDER BY d"
)
DETECT_NEO4J = (
    "CALL dbms.components() YIELD name, versions, edition "
    "RETURN name, versions[0] AS version, edition"
)
DETECT_FALKOR = "CALL db.indexes() YIELD label RETURN count(label) AS n"
FALKOR_INDEX_LIST = "CALL db.indexes() YIELD label, properties, entitytype RETURN label, properties, entitytype"
FALKOR_CONSTRAINT_LIST = (
    "CALL db.constraints() YIELD type, label, properties RETURN type, label, properties"
)

#: Rows and bytes per request. The FalkorDB test server drops requests over 64 KB.
DEFAULT_BATCH = {"neo4j": 1000, "falkordb": 200, "other": 500}
MAX_REQUEST_BYTES = {"neo4j": 8_000_000, "falkordb": 48_000, "other": 48_000}
_SLACK = 1.0 - 1e-9  # server-side bounds are loosened by this; the exact test is done here
_MIN_THETA = 1e-9
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _pid(s: str) -> int:
    return int(s[1:])


def _ps(pid: int) -> str:
    return f"p{int(pid)}"


def name_key(name: str | None) -> str:
    """A name folded as SQLite's NOCASE folds it (ASCII letters only), for exact lookups."""
    return (name or "").translate(_ASCII_LOWER)


# ---------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class Neo4jConfig:
    """Where the server is and how to log in; `from_env` fills gaps from the environment."""

    uri: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    database: str | None = None
    falkordb_url: str | None = None
    retry_seconds: float = 30.0

    @classmethod
    def from_env(
        cls,
        uri: str | None = None,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        *,
        falkordb_url: str | None = None,
        retry_seconds: float | None = None,
    ) -> Neo4jConfig:
        """Arguments first, then ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``,
        ``NEO4J_DATABASE``, ``FALKORDB_URL``. Raises `UsageError` without a URI."""
        env = os.environ
        uri = uri or env.get("NEO4J_URI")
        if not uri:
            raise UsageError("no Neo4j server: pass --neo4j-uri bolt://HOST:7687 or set NEO4J_URI")
        return cls(
            uri=uri,
            user=user or env.get("NEO4J_USER") or None,
            password=password if password is not None else env.get("NEO4J_PASSWORD"),
            database=database or env.get("NEO4J_DATABASE") or None,
            falkordb_url=falkordb_url or env.get("FALKORDB_URL") or None,
            retry_seconds=30.0 if retry_seconds is None else float(retry_seconds),
        )

    @property
    def target(self) -> str:
        """The server and database as a printable key (no credentials)."""
        parts = urlsplit(self.uri)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}/{self.database or ''}"


_drivers: dict[tuple, Any] = {}
_drivers_lock = threading.Lock()


def _driver(cfg: Neo4jConfig) -> Any:
    """The process's one driver for these connection settings (created on first use)."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import ConfigurationError

    key = (cfg.uri, cfg.user, cfg.password, cfg.retry_seconds)
    with _drivers_lock:
        drv = _drivers.get(key)
        if drv is None:
            auth = (cfg.user, cfg.password or "") if cfg.user else None
            try:
                drv = GraphDatabase.driver(
                    cfg.uri, auth=auth, max_transaction_retry_time=cfg.retry_seconds,
                    connection_timeout=15.0, user_agent="tiegraph",
                )  # fmt: skip
            except (ConfigurationError, ValueError) as e:
                raise StoreError(f"not a usable Neo4j URI {cfg.uri!r}: {e}") from e
            _drivers[key] = drv
        return drv


@atexit.register
def _close_drivers() -> None:
    with _drivers_lock:
        for drv in _drivers.values():
            drv.close()
        _drivers.clear()


def _resp(url: str, *args: str, timeout: float = 5.0) -> str:
    """Send one command to a Redis-protocol port (FalkorDB's admin side); the reply's first
    line (``+OK``, ``-ERR ...``)."""
    def command(*words: str) -> bytes:
        return (f"*{len(words)}\r\n" + "".join(f"${len(w.encode())}\r\n{w}\r\n" for w in words)).encode()

    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=timeout) as s:
        if parts.password:
            s.sendall(command("AUTH", *([parts.username] if parts.username else []), parts.password))
            s.recv(4096)
        s.sendall(command(*args))
        return s.recv(4096).decode(errors="replace").split("\r\n", 1)[0]


# ---------------------------------------------------------------------- rows to sync
class ListRows:
    """Rows held in a list; the key of a row is its first field."""

    def __init__(self, rows: list[list]):
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def key(self, i: int) -> str:
        return self.rows[i][0]

    def row(self, i: int) -> list:
        return self.rows[i]


class TieRows:
    """The ties of a `TieIndex` as sync rows (`TIE_FIELDS`), made on demand, one per edge.

    `company_names` maps company ids to names (for "colleagues at ..."); people are named by
    their public id, ``p<workspace id>`` (``index.pids``).
    """

    def __init__(self, index: TieIndex, company_names: dict[int, str] | None = None):
        self.index = index
        self.names = company_names or {}
        self._ends = np.column_stack([index.pids[index.eu], index.pids[index.ev]])
        self._ints = np.column_stack([index.n_ab, index.n_ba, index.n_broadcast])
        self._days = np.column_stack([index.first, index.last, index.last_personal])

    def __len__(self) -> int:
        return len(self._ends)

    def key(self, e: int) -> str:
        a, b = self._ends[e].tolist()
        return f"p{a}|p{b}"

    def keys(self) -> list[str]:
        return [f"p{a}|p{b}" for a, b in self._ends.tolist()]

    def hashes(self, salt: str = "") -> np.ndarray:
        """A 64-bit content hash per tie (int64), from the arrays at once: the fields of
        `row` folded with a multiply-xorshift mixer (MurmurHash3's finaliser constants).
        Equal rows hash equal; a changed field changes the hash (up to chance, 2**-64)."""
        ix = self.index
        m = len(self)
        h = np.full(m, _digest("ties" + salt) & 0xFFFFFFFFFFFFFFFF, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for col in self._hash_columns():
                h ^= col
                h *= np.uint64(0xFF51AFD7ED558CCD)
                h ^= h >> np.uint64(33)
            h *= np.uint64(0xC4CEB9FE1A85EC53)
            h ^= h >> np.uint64(29)
        assert len(h) == m == len(ix.strength)
        return h.view(np.int64)

    def _hash_columns(self) -> Iterator[np.ndarray]:
        ix = self.index

        def bits(x: np.ndarray) -> np.ndarray:
            x = np.asarray(x, dtype=np.float64)
            b = x.view(np.uint64).copy()
            b[np.isnan(x)] = np.uint64(0x7FF8000000000001)  # every "never" alike
            return b

        def ints(x: np.ndarray) -> np.ndarray:
            return np.asarray(x, dtype=np.int64).view(np.uint64)

        yield ints(self._ends[:, 0])
        yield ints(self._ends[:, 1])
        yield bits(ix.strength)
        comps = np.asarray(ix.components, dtype=np.float64)
        for j in range(comps.shape[1]):
            yield bits(comps[:, j])
        for j in range(3):
            yield ints(self._ints[:, j])
            yield bits(self._days[:, j])
        yield ints(ix.ctx)
        yield bits(ix.ctx_value)
        cc = np.asarray(ix.colleague_company, dtype=np.int64)
        names = np.zeros(max(int(cc.max(initial=-1)) + 1, 1), dtype=np.uint64)
        for cid, name in self.names.items():
            if 0 <= cid < len(names):
                names[cid] = _digest(name) & 0xFFFFFFFFFFFFFFFF
        yield np.where(cc >= 0, names[np.maximum(cc, 0)], np.uint64(0))
        counts = np.asarray(ix.counts)
        for j in range(counts.shape[1]):
            yield ints(counts[:, j])

    def row(self, e: int) -> list:
        ix = self.index
        a, b = self._ends[e].tolist()
        days = [None if math.isnan(d) else d for d in self._days[e].tolist()]  # never -> null
        cc = int(ix.colleague_company[e])
        return [f"p{a}", f"p{b}", float(ix.strength[e]), *ix.components[e].tolist(),
                *self._ints[e].tolist(), *days, int(ix.ctx[e]), float(ix.ctx_value[e]),
                self.names.get(cc) if cc >= 0 else None, *ix.counts[e].tolist()]  # fmt: skip


@dataclass
class SyncData:
    """Everything a sync sends: rows per kind (`COMPANY_FIELDS`, `PERSON_FIELDS`,
    `POSITION_FIELDS`, `TIE_FIELDS`) and what the answers need to know about them."""

    companies: Any
    people: Any
    positions: Any
    ties: Any
    now_days: float
    model_version: str
    generation: int = -1

    def kinds(self) -> list[tuple[str, Any]]:
        return [("companies", self.companies), ("people", self.people),
                ("positions", self.positions), ("ties", self.ties)]  # fmt: skip

    @property
    def max_strength(self) -> float:
        ties = self.ties
        if isinstance(ties, TieRows):
            return float(ties.index.strength.max()) if len(ties) else 0.0
        return max((float(ties.row(i)[2]) for i in range(len(ties))), default=0.0)


def workspace_sync_data(ws: Any, index: TieIndex | None = None, *, now: Any = None) -> SyncData:
    """The rows of workspace `ws` (a `graph.workspace.Workspace`) to sync: its companies,
    people (with emails, LinkedIn URLs, team and owner flags), positions (plus each person's
    current company when no position says it) and the ties of its index (`load_index`).

    The server serves the whole team, so what is sent is the team's view
    (`graph.privacy.visible_index` with no viewer): contacts an owner keeps private are not
    sent, nor their ties, positions and the companies only they show; contacts kept at "ask"
    are sent as "a contact of <owner>" with their company id (so that searches for the
    company find a path) and nothing else (no name keys, emails, profile URLs, title,
    positions); ties whose evidence is withheld carry no counts, dates or contexts."""
    if index is None:
        index = load_index(ws, now=now)
    index = visible_index(index, None, read_levels(ws))
    member = index.member if isinstance(index, ViewerIndex) else (lambda _pid: True)
    shows = findable(index) or (lambda _pid: True)
    companies = [
        [f"c{cid}", name, norm, domain, industry]
        for cid, name, norm, domain, industry in ws.sql(
            "SELECT id, name, norm, domain, industry FROM companies ORDER BY id"
        )
    ]
    names = {int(r[0][1:]): r[1] for r in companies}
    keys: dict[int, tuple[list[str], list[str]]] = {}
    for pid, kind, value in ws.sql(
        "SELECT person_id, kind, value FROM keys WHERE kind IN ('email', 'linkedin') "
        "ORDER BY person_id, kind, value"
    ):
        emails, urls = keys.setdefault(pid, ([], []))
        (emails if kind == "email" else urls).append(value)
    owners = {r[0] for r in ws.sql("SELECT DISTINCT owner_id FROM imports WHERE owner_id IS NOT NULL")}
    people = []
    current: dict[int, int | None] = {}
    titles: dict[int, str | None] = {}
    for pid, name, company, cid, title, team in ws.sql(
        "SELECT id, name, company, company_id, title, team FROM people ORDER BY id"
    ):
        if not member(pid):
            continue
        if not shows(pid):  # "ask": that they are there, at which company, and whom to ask
            label = index.person(index.node_of(pid))["name"]  # type: ignore[arg-type]
            people.append([_ps(pid), label, "", "", None, f"c{cid}" if cid is not None else None,
                           None, False, False, [], []])  # fmt: skip
            continue
        emails, urls = keys.get(pid, ([], []))
        people.append([_ps(pid), name, name_key(name), norm_name(name), company,
                       f"c{cid}" if cid is not None else None, title, bool(team), pid in owners,
                       emails, urls])  # fmt: skip
        current[pid], titles[pid] = cid, title
    seen: dict[tuple, list] = {}
    for pid, cid, title, start, end, cur in ws.sql(
        "SELECT m.person_id, po.company_id, po.title, po.start, po.end, po.current "
        "FROM positions po JOIN mentions m ON m.id = po.mention_id ORDER BY po.id"
    ):
        if not shows(pid):
            continue
        ident = (pid, cid, title, start, end)
        if ident in seen:
            seen[ident][6] = seen[ident][6] or bool(cur)
            continue
        seen[ident] = [_position_key(*ident), _ps(pid), f"c{cid}", title, start, end, bool(cur)]
    stated = {(pid, cid) for (pid, cid, *_), row in seen.items() if row[6]}
    for pid, cid in current.items():
        if cid is not None and (pid, cid) not in stated:
            ident = (pid, cid, titles[pid], None, None)
            seen.setdefault(ident, [_position_key(*ident), _ps(pid), f"c{cid}", titles[pid], None, None, True])
    positions = sorted(seen.values())
    if isinstance(index, ViewerIndex):  # companies that only people not sent show stay behind
        used = {r[5] for r in people} | {r[2] for r in positions}
        withheld = {f"c{cid}" for pid, cid in ws.sql(
            "SELECT id, company_id FROM people WHERE company_id IS NOT NULL "
            "UNION SELECT m.person_id, po.company_id FROM positions po "
            "JOIN mentions m ON m.id = po.mention_id") if not shows(pid)}  # fmt: skip
        companies = [c for c in companies if c[0] in used or c[0] not in withheld]
        if index.withheld.any():  # a withheld tie's components measure withheld evidence
            comps = np.array(index.components)
            comps[index.withheld] = 0.0
            index = dataclasses.replace(index, components=comps)
    return SyncData(
        companies=ListRows(companies), people=ListRows(people), positions=ListRows(positions),
        ties=TieRows(index, names), now_days=float(index.now_days),
        model_version=index.model_version, generation=int(index.generation),
    )  # fmt: skip


def _position_key(pid: int, cid: int, title: str | None, start: str | None, end: str | None) -> str:
    h = blake2b(json.dumps([pid, cid, title, start, end]).encode(), digest_size=8).hexdigest()
    return f"{_ps(pid)}:{h}"


def _delete_row(kind: str, key: str) -> list:
    if kind == "ties":
        return key.split("|", 1)
    if kind == "positions":
        return [key.split(":", 1)[0], key]
    return [key]


def _encode(row: list) -> bytes:
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(
        "utf-8", "surrogatepass"
    )


def _wire_size(row: list) -> int:
    """Bytes a row may take in a request: its JSON, plus what a server that turns
    parameters into Cypher text adds (17 digits per float, ", " between items)."""
    return len(_encode(row)) + len(row) + 18 * sum(isinstance(v, float) for v in row)


def _digest(payload: bytes | str) -> int:
    if isinstance(payload, str):
        payload = payload.encode("utf-8", "surrogatepass")
    return int.from_bytes(blake2b(payload, digest_size=8).digest(), "big", signed=True)


# ---------------------------------------------------------------------- sync state (side file)
def sync_state_path(workspace_path: str | os.PathLike) -> Path:
    """Where the sync state of a workspace lives: beside it, ``<file>.neo4j-sync.db``."""
    p = Path(workspace_path)
    return p.with_name(p.name + ".neo4j-sync.db")


class _SyncState:
    """What was last sent to one server: a content hash per row, in a small SQLite file.

    Each batch's hashes are written in one transaction after the server accepted the batch,
    so the file never claims more than the server got.
    """

    def __init__(self, path: Path, target: str):
        self.path, self.target = path, target
        try:
            self.db = sqlite3.connect(str(path), isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS targets (target TEXT PRIMARY KEY, state_id TEXT NOT NULL, "
                "full_run TEXT, synced_at TEXT)"
            )
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS rows (target TEXT NOT NULL, kind TEXT NOT NULL, "
                "key TEXT NOT NULL, hash INTEGER NOT NULL, PRIMARY KEY (target, kind, key)) WITHOUT ROWID"
            )
            row = self.db.execute(
                "SELECT state_id, full_run, synced_at FROM targets WHERE target = ?", (target,)
            ).fetchone()
            if row is None:
                self.db.execute(
                    "INSERT INTO targets(target, state_id) VALUES (?, ?)", (target, uuid.uuid4().hex)
                )
                row = self.db.execute(
                    "SELECT state_id, full_run, synced_at FROM targets WHERE target = ?", (target,)
                ).fetchone()
        except sqlite3.Error as e:
            raise StoreError(f"cannot use the sync state file {path}: {e}") from e
        self.state_id, self.full_run, self.synced_at = row

    def close(self) -> None:
        self.db.close()

    def empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM rows WHERE target = ? LIMIT 1", (self.target,)).fetchone() is None

    def hashes(self, kind: str) -> dict[str, int]:
        return dict(self.db.execute(
            "SELECT key, hash FROM rows WHERE target = ? AND kind = ?", (self.target, kind)
        ))  # fmt: skip

    def begin_full(self, run: str) -> None:
        with self._tx():
            self.db.execute("DELETE FROM rows WHERE target = ?", (self.target,))
            self.db.execute("UPDATE targets SET full_run = ? WHERE target = ?", (run, self.target))
        self.full_run = run

    def record(self, kind: str, rows: list[tuple[str, int]]) -> None:
        with self._tx():
            self.db.executemany(
                "INSERT OR REPLACE INTO rows(target, kind, key, hash) VALUES (?, ?, ?, ?)",
                [(self.target, kind, k, h) for k, h in rows],
            )

    def drop(self, kind: str, keys: list[str]) -> None:
        with self._tx():
            self.db.executemany(
                "DELETE FROM rows WHERE target = ? AND kind = ? AND key = ?",
                [(self.target, kind, k) for k in keys],
            )

    def finish(self, at: str) -> None:
        with self._tx():
            self.db.execute(
                "UPDATE targets SET full_run = NULL, synced_at = ? WHERE target = ?", (at, self.target)
            )
        self.full_run, self.synced_at = None, at

    @contextmanager
    def _tx(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")


def forget_synced(workspace_path: str | os.PathLike, pid: int) -> list[str]:
    """After ``Workspace.forget``: make the sync state beside the workspace forget person `pid`.

    The state's content hashes of their rows (computed from their name, emails and profile
    URL, among others) are overwritten and the freed pages with them; only the opaque keys
    stay (``p12``, ``p12|p40``, ``p12:<hash of a position>``), so that the next
    `Neo4jStore.sync` still deletes the person and their ties from each server. Returns those
    servers (targets), which hold the person until then; none when the workspace was never
    synced.
    """
    path = sync_state_path(workspace_path)
    if not path.exists():
        return []
    key = _ps(int(pid))
    try:
        db = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        try:
            db.execute("PRAGMA secure_delete = ON")
            db.execute("BEGIN IMMEDIATE")
            targets = [r[0] for r in db.execute(
                "SELECT DISTINCT target FROM rows WHERE (kind = 'people' AND key = ?1) "
                "OR (kind = 'positions' AND key LIKE ?1 || ':%') "
                "OR (kind = 'ties' AND (key LIKE ?1 || '|%' OR key LIKE '%|' || ?1)) ORDER BY target",
                (key,))]  # fmt: skip
            db.execute(
                "UPDATE rows SET hash = 0 WHERE (kind = 'people' AND key = ?1) "
                "OR (kind = 'positions' AND key LIKE ?1 || ':%') "
                "OR (kind = 'ties' AND (key LIKE ?1 || '|%' OR key LIKE '%|' || ?1))",
                (key,),
            )
            db.execute("COMMIT")
            db.execute("VACUUM")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
    except sqlite3.Error as e:
        raise StoreError(f"cannot update the sync state file {path}: {e}") from e
    return targets


# ---------------------------------------------------------------------- reports
@dataclass
class SyncReport:
    """What one sync did, per kind of row: sent (new or changed), deleted, unchanged."""

    target: str
    server: str
    mode: str
    reason: str
    upserted: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    swept: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    seconds: float = 0.0
    schema: list[str] = field(default_factory=list)

    @property
    def rows_written(self) -> int:
        return sum(self.upserted.values()) + sum(self.deleted.values())

    @property
    def rows_per_s(self) -> float:
        return self.rows_written / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict:
        return {
            "target": self.target, "server": self.server, "mode": self.mode,
            "reason": self.reason, "upserted": self.upserted, "deleted": self.deleted,
            "unchanged": self.unchanged, "swept": self.swept, "batches": self.batches,
            "rows_written": self.rows_written, "seconds": round(self.seconds, 3),
            "rows_per_s": round(self.rows_per_s, 1), "schema": self.schema,
        }  # fmt: skip


@dataclass(frozen=True)
class ServerInfo:
    """What the server is: ``kind`` is "neo4j", "falkordb" (the test server) or "other"."""

    kind: str
    version: str


# ---------------------------------------------------------------------- the store
class Neo4jStore:
    """A connection to a Neo4j database holding tiegraph's graph. Use `Neo4jStore.open`."""

    def __init__(self, config: Neo4jConfig):
        self.config = config
        self._driver = _driver(config)
        self._server: ServerInfo | None = None
        self._meta_cache: dict | None = None

    # ------------------------------------------------------------------ connection
    @classmethod
    def open(
        cls,
        uri: str | None = None,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        *,
        falkordb_url: str | None = None,
        retry_seconds: float | None = None,
        verify: bool = True,
    ) -> Neo4jStore:
        """Connect (arguments, else ``NEO4J_*`` environment variables) and, with `verify`,
        check that the server answers and accepts the login (`verify_connectivity`)."""
        store = cls(Neo4jConfig.from_env(uri, user, password, database, falkordb_url=falkordb_url,
                                         retry_seconds=retry_seconds))  # fmt: skip
        if verify:
            store.verify_connectivity()
        return store

    def close(self) -> None:
        """Nothing to release: the driver is shared by the process and closed at exit."""

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def verify_connectivity(self) -> None:
        """Raise `StoreError` with a clear message unless the server answers and the user and
        password are accepted."""
        from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

        where = self.config.target
        try:
            self._driver.verify_connectivity()
        except AuthError as e:
            raise StoreError(
                f"Neo4j at {where} refused the login for user {self.config.user!r}: check "
                f"--neo4j-user/--neo4j-password (or NEO4J_USER/NEO4J_PASSWORD) ({e.message})"
            ) from e
        except ServiceUnavailable as e:
            raise StoreError(
                f"cannot reach Neo4j at {where}: is the server running and the URI right? ({e})"
            ) from e
        except (Neo4jError, DriverError, OSError) as e:
            raise StoreError(f"Neo4j at {where} did not accept the connection: {e}") from e

    def _run(self, query: str, params: dict | None = None, *, write: bool = False) -> list:
        """One managed transaction (retried by the driver on transient failures); records."""
        from neo4j import RoutingControl

        records, _, _ = self._driver.execute_query(
            query, params or {}, database_=self.config.database,
            routing_=RoutingControl.WRITE if write else RoutingControl.READ,
        )  # fmt: skip
        return records

    def read(self, query: str, params: dict | None = None, *, what: str = "read") -> list:
        """Run a read query (read routing); driver failures become `StoreError`."""
        from neo4j.exceptions import DriverError, Neo4jError

        try:
            return self._run(query, params)
        except (Neo4jError, DriverError, OSError) as e:
            raise StoreError(f"Neo4j at {self.config.target}: {what} failed: {e}") from e

    def write(self, query: str, params: dict | None = None, *, what: str = "write") -> list:
        """Run a write query (one transaction); driver failures become `StoreError`."""
        from neo4j.exceptions import DriverError, Neo4jError

        try:
            return self._run(query, params, write=True)
        except (Neo4jError, DriverError, OSError) as e:
            raise StoreError(f"Neo4j at {self.config.target}: {what} failed: {e}") from e

    @property
    def server(self) -> ServerInfo:
        """Which server this is (asked once): Neo4j answers ``dbms.components()``, the
        FalkorDB test server answers ``db.indexes()`` instead."""
        from neo4j.exceptions import Neo4jError

        if self._server is None:
            try:
                rec = self._run(DETECT_NEO4J)[0]
                self._server = ServerInfo("neo4j", f"{rec['name']} {rec['version']} {rec['edition']}")
            except (Neo4jError, IndexError):
                try:
                    self._run(DETECT_FALKOR)
                    self._server = ServerInfo("falkordb", "FalkorDB (Bolt)")
                except Neo4jError:
                    self._server = ServerInfo("other", self._driver.get_server_info().agent)
        return self._server

    # ------------------------------------------------------------------ schema
    def ensure_schema(self) -> list[str]:
        """Create the uniqueness constraints and indexes the store relies on, if missing.

        Neo4j: ``CREATE CONSTRAINT/INDEX ... IF NOT EXISTS``. FalkorDB: the indexes
        ``db.indexes()`` lacks, then unique constraints through its Redis port when
        `Neo4jConfig.falkordb_url` is set. Returns notes on what was done or left out.
        """
        kind = self.server.kind
        notes: list[str] = []
        if kind == "neo4j":
            for q in NEO4J_SCHEMA:
                self.write(q, what="creating constraints and indexes")
            return notes
        from neo4j.exceptions import Neo4jError

        try:
            have = {(r["entitytype"], r["label"], p) for r in self._run(FALKOR_INDEX_LIST)
                    for p in r["properties"]}  # fmt: skip
        except Neo4jError:
            have = set()
        for key, q in FALKOR_INDEXES.items():
            if key not in have:
                try:
                    self._run(q, write=True)
                    notes.append(f"index {key[1]}.{key[2]} created")
                except Neo4jError as e:  # an index made meanwhile, or a server without it
                    notes.append(f"index {key[1]}.{key[2]} not created ({e.code})")
        try:
            unique = {(r["label"], tuple(r["properties"])) for r in self._run(FALKOR_CONSTRAINT_LIST)
                      if r["type"] == "UNIQUE"}  # fmt: skip
        except Neo4jError:
            unique = set()
        missing = [(lab, prop) for lab, prop in FALKOR_UNIQUE if (lab, (prop,)) not in unique]
        if missing and not self.config.falkordb_url:
            notes.append("uniqueness constraints not created: set FALKORDB_URL (the server's "
                         "Redis port) to create them; MERGE on the indexed ids keeps rows unique")  # fmt: skip
        elif missing:
            for lab, prop in missing:
                try:
                    reply = _resp(self.config.falkordb_url or "", "GRAPH.CONSTRAINT", "CREATE",
                                  FALKOR_GRAPH, "UNIQUE", "NODE", lab, "PROPERTIES", "1", prop)  # fmt: skip
                except OSError as e:
                    raise StoreError(f"cannot reach FalkorDB's Redis port at {self.config.falkordb_url}: {e}") from e
                if reply.startswith("-") and "already exists" not in reply:
                    raise StoreError(f"FalkorDB refused the unique constraint on {lab}.{prop}: {reply[1:]}")
                notes.append(f"unique constraint {lab}.{prop} created")
        return notes

    # ------------------------------------------------------------------ sync
    def meta(self, *, refresh: bool = False) -> dict | None:
        """The sync's record on the server (state id, as-of day, model version), or None."""
        if self._meta_cache is None or refresh:
            recs = self.read(META_READ, what="reading the sync record")
            self._meta_cache = dict(recs[0].data()) if recs else None
        return self._meta_cache

    def counts(self) -> dict[str, int]:
        """How many people, companies, ties and positions the server holds."""
        return {k: int(self.read(q, what="counting")[0]["n"]) for k, q in COUNTS.items()}

    def sync(
        self,
        ws: Any,
        *,
        batch: int | None = None,
        full: bool = False,
        now: Any = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> SyncReport:
        """Push workspace `ws` to the server: only what changed since the last sync.

        Parameters
        ----------
        ws : graph.workspace.Workspace
        batch : int, optional
            Rows per request (default: 1000 on Neo4j, 200 on the FalkorDB test server);
            requests are also kept under the server's size limit.
        full : bool
            Send every row and remove from the server whatever was not sent.
        now : date or datetime, optional
            As-of day of the tie strengths (default: today).
        progress : callable ``(done, total)``, optional
            Called after each batch, with rows.

        Returns
        -------
        SyncReport

        Raises
        ------
        StoreError
            The server is unreachable or rejected a batch (the message names it). Batches
            before it are recorded; running the sync again finishes the job.
        """
        data = workspace_sync_data(ws, now=now)
        return self.push(data, sync_state_path(ws.path), batch=batch, full=full, progress=progress)

    def push(
        self,
        data: SyncData,
        state_path: str | os.PathLike,
        *,
        batch: int | None = None,
        full: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> SyncReport:
        """Push `data` with its sync state at `state_path` (see `sync`)."""
        t0 = time.perf_counter()
        kind = self.server.kind
        schema = self.ensure_schema()
        state = _SyncState(Path(state_path), self.config.target)
        try:
            meta = self.meta(refresh=True)
            run: str | None = uuid.uuid4().hex
            if full:
                mode, reason = "full", "asked for"
            elif state.empty() and not state.full_run:
                mode, reason = "full", "first sync of this workspace to this server"
            elif meta is None or meta.get("state_id") != state.state_id:
                mode, reason = "full", "the server does not hold what this workspace last synced"
            elif state.full_run:
                mode, reason, run = "full", "finishing an interrupted full sync", state.full_run
            else:
                mode, reason, run = "incremental", "changes since the last sync", None
            if run is not None and run != state.full_run:
                state.begin_full(run)
            report = SyncReport(self.config.target, f"{self.server.version}", mode, reason, schema=schema)
            self.write(META_BEGIN, {"state_id": state.state_id}, what="marking the sync")
            self._meta_cache = None
            plan = self._plan(data, state, report)
            total = sum(len(c) for _, c, _ in plan) + sum(len(d) for _, _, d in plan)
            rows_cap = batch or DEFAULT_BATCH[kind]
            bytes_cap = MAX_REQUEST_BYTES[kind]
            done = 0
            if progress:
                progress(0, total)
            upserts = {"companies": UPSERT_COMPANIES, "people": UPSERT_PEOPLE,
                       "positions": UPSERT_POSITIONS, "ties": UPSERT_TIES}  # fmt: skip
            for name, changed, _ in plan:
                rows = getattr(data, name)
                items = ((i, h, rows.row(i)) for i, h in changed)
                first = 0
                for b, chunk in enumerate(_chunks(items, rows_cap, bytes_cap - len(upserts[name]) - 200,
                                                  lambda it: _wire_size(it[2])), 1):  # fmt: skip
                    payload = [row for _, _, row in chunk]
                    where = f"{name} batch {b} (rows {first + 1:,}-{first + len(chunk):,} of {len(changed):,})"
                    res = self._send(upserts[name], {"rows": payload, "run": run, "mv": data.model_version},
                                     where, done, total)  # fmt: skip
                    sent = int(res[0]["n"]) if res else 0
                    if sent != len(payload):
                        raise StoreError(
                            f"sync to {self.config.target}: {where}: {len(payload) - sent} rows "
                            "refer to people or companies missing on the server; run "
                            "`tiegraph sync neo4j --full` to rebuild it"
                        )
                    state.record(name, [(rows.key(i), h) for i, h, _ in chunk])
                    first += len(chunk)
                    done += len(chunk)
                    report.batches += 1
                    if progress:
                        progress(done, total)
            deletes = {"ties": DELETE_TIES, "positions": DELETE_POSITIONS,
                       "people": DELETE_PEOPLE, "companies": DELETE_COMPANIES}  # fmt: skip
            for name, _, gone in reversed(plan):
                chunks = [gone[i : i + rows_cap] for i in range(0, len(gone), rows_cap)]
                for b, keys in enumerate(chunks, 1):
                    self._send(deletes[name], {"rows": [_delete_row(name, k) for k in keys]},
                               f"{name} deletion batch {b} of {len(chunks)}", done, total)  # fmt: skip
                    state.drop(name, keys)
                    done += len(keys)
                    report.batches += 1
                    if progress:
                        progress(done, total)
            if run is not None:
                for name in ("ties", "positions", "people", "companies"):
                    report.swept[name] = self._sweep(name, run)
            at = datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
            self.write(META_END, {
                "state_id": state.state_id, "now_days": data.now_days, "mv": data.model_version,
                "generation": data.generation, "max_strength": data.max_strength,
                "synced_at": at, "people": len(data.people), "ties": len(data.ties),
            }, what="recording the sync")  # fmt: skip
            state.finish(at)
            self._meta_cache = None
        finally:
            state.close()
        report.seconds = time.perf_counter() - t0
        return report

    def _plan(self, data: SyncData, state: _SyncState, report: SyncReport) -> list:
        """Per kind: rows to send ``(i, hash)`` (new or changed since the state file's
        record) and keys to delete (recorded, no longer in the data)."""
        plan = []
        for name, rows in data.kinds():
            known = state.hashes(name)
            salt = data.model_version if name == "ties" else ""
            if hasattr(rows, "hashes"):  # computed from arrays at once (ties)
                pairs: Iterable = zip(rows.keys(), rows.hashes(salt).tolist(), strict=True)
            else:
                pairs = ((rows.key(i), _digest(_encode(rows.row(i)) + salt.encode())) for i in range(len(rows)))
            changed = [(i, h) for i, (key, h) in enumerate(pairs) if known.pop(key, None) != h]
            gone = sorted(known)
            report.upserted[name] = len(changed)
            report.deleted[name] = len(gone)
            report.unchanged[name] = len(rows) - len(changed)
            plan.append((name, changed, gone))
        return plan

    def _send(self, query: str, params: dict, where: str, done: int, total: int) -> list:
        from neo4j.exceptions import DriverError, Neo4jError

        try:
            return self._run(query, params, write=True)
        except (Neo4jError, DriverError, OSError) as e:
            raise StoreError(
                f"sync to {self.config.target} failed at {where}: {e}; "
                f"{done:,} of {total:,} rows were written and recorded before it. "
                "Run the sync again to finish (what was sent is not sent twice)"
            ) from e

    def _sweep(self, name: str, run: str, limit: int = 1000) -> int:
        n = 0
        while True:
            recs = self.write(SWEEP[name], {"run": run, "limit": limit}, what=f"removing stale {name}")
            got = int(recs[0]["n"]) if recs else 0
            n += got
            if got < limit:
                return n

    # ------------------------------------------------------------------ who is who
    def _ids(self, query: str, value: Any) -> list[int]:
        return sorted(_pid(r["id"]) for r in self.read(query, {"v": value}, what="finding people"))

    def people_info(self, pids: Sequence[int]) -> dict[int, dict]:
        """``{pid: {"id", "name", "company", "title", "team", "company_id"}}`` from the server."""
        out: dict[int, dict] = {}
        ids = list(dict.fromkeys(_ps(p) for p in pids))
        for k in range(0, len(ids), 500):
            for r in self.read(PEOPLE_INFO, {"ids": ids[k : k + 500]}, what="reading people"):
                d = r.data()
                d["team"] = bool(d["team"])
                out[_pid(d["id"])] = d
        return out

    def find_person(self, who: str) -> int:
        """The id of the one person `who` names (``p12``, an email, a LinkedIn URL or a name),
        by the workspace's rules (`graph.workspace.Workspace.find_person`)."""
        who = (who or "").strip()
        if not who:
            raise NotFound("no person named")
        if who[:1] in "pP" and who[1:].isdigit():
            if self._ids(PERSON_BY_ID, _ps(int(who[1:]))):
                return int(who[1:])
            raise NotFound(f"no person {who}")
        for kind, value, q in (("email", norm_email(who), PEOPLE_BY_EMAIL),
                               ("linkedin", norm_linkedin_url(who), PEOPLE_BY_LINKEDIN)):  # fmt: skip
            if value:
                found = self._ids(q, value)
                if found:
                    return found[0]
                raise NotFound(f"nobody with {kind} {value}")
        exact = self._ids(PEOPLE_BY_NAME_KEY, name_key(who)) or self._ids(PEOPLE_BY_NORM_NAME, norm_name(who))
        if len(exact) == 1:
            return exact[0]
        if not exact:
            raise NotFound(f"nobody named {who!r}; try `tiegraph people {who.split()[0]}`")
        info = self.people_info(exact[:20])
        views = [info[p] for p in exact[:20] if p in info]
        raise Ambiguous(
            f"{len(exact)} people are named {who!r}; use an id or email: "
            + "; ".join(f"{v['id']} ({v['company'] or 'no company'})" for v in views[:5]),
            candidates=[{k: v[k] for k in ("id", "name", "company", "title")} for v in views],
        )

    def _company_people(self, text: str) -> tuple[str, str, list[tuple[int, str | None]]] | None:
        """(company id, name, [(pid, title)]) of the company `text` names (as
        `graph.targets.company_people`)."""
        norm = norm_company(text)
        if not norm:
            return None
        rows = self.read(COMPANY_BY_NORM, {"v": norm}, what="finding the company")
        if not rows:
            rows = self.read(COMPANY_BY_PREFIX, {"v": norm}, what="finding the company")
            if len(rows) > 1:
                raise Ambiguous(
                    f"{text!r} could be {', '.join(r['name'] for r in rows)}; be more precise",
                    candidates=[{"company": r["name"]} for r in rows],
                )
        if not rows:
            return None
        cid, name = rows[0]["id"], rows[0]["name"]
        return cid, name, self._people_at(cid)

    def resolve_target(self, text: str, *, company: bool = False, title: str | None = None) -> Target:
        """The `Target` that `text` names, as `graph.targets.resolve_target` finds it, with
        workspace person ids as its nodes."""
        text = (text or "").strip()
        if not text:
            raise NotFound("no target given")
        if not company and not title:
            try:
                pid = self.find_person(text)
            except NotFound:
                found = self._company_people(text)
                if found is None:
                    raise
                return self._company_target(found, None)
            info = self.people_info([pid])[pid]
            colleagues = []
            if info["company_id"] is not None:
                colleagues = [p for p, _ in self._people_at(info["company_id"])]
            person = {k: info[k] for k in ("id", "name", "company", "title")}
            return Target(label=info["name"] or info["id"], nodes=[pid], company=info["company"],
                          person=person, company_nodes=colleagues)  # fmt: skip
        found = self._company_people(text)
        if found is None:
            raise NotFound(f"no company {text!r} in the workspace; try `tiegraph people {text}`")
        return self._company_target(found, title)

    def _people_at(self, cid: str) -> list[tuple[int, str | None]]:
        return sorted((_pid(r["id"]), r["title"]) for r in self.read(PEOPLE_AT, {"v": cid}, what="finding people"))

    def _company_target(self, found: tuple, title: str | None) -> Target:
        _, name, people = found
        everyone = [p for p, _ in people]
        if title:
            nodes = [p for p, t in people if title_matches(t, title)]
            label = f"{title} at {name}"
        else:
            nodes, label = everyone, f"anyone at {name}"
        return Target(label=label, nodes=nodes, company=name, title=title, company_nodes=everyone)

    def resolve_sources(self, who: Sequence[str] = (), *, team: bool = False) -> list[int]:
        """Person ids of the people searching, as `graph.targets.resolve_sources` picks them:
        `who`, else ``$TIEGRAPH_ME``, else the one owner of the imports, else the team."""
        if who:
            return [self.find_person(w) for w in who]
        me = os.environ.get("TIEGRAPH_ME")
        if not team and me:
            return self.resolve_sources([me])
        if not team:
            owners = self._ids(PEOPLE_OWNERS, None)
            if len(owners) == 1:
                return owners
        nodes = self._ids(PEOPLE_TEAM, None)
        if not nodes:
            raise NotFound("no team in the workspace: load an export with --owner, or use --from WHO")
        return nodes

    # ------------------------------------------------------------------ intro search
    def top_paths(
        self,
        sources: Sequence[int],
        targets: Sequence[int],
        *,
        k: int = 5,
        max_hops: int = 3,
        hop_penalty: float = DEFAULT_HOP_PENALTY,
        per_introducer: int | None = None,
        exclude: Iterable[int] = (),
        through_sources: bool = True,
    ) -> list[RawPath]:
        """The `k` best simple paths from any of `sources` to any of `targets` (person ids),
        found by Cypher on the server: the same answer as `graph.intro.top_paths` on the
        same data (see the module docstring). RawPath nodes are person ids; edges are empty.
        """
        if not 1 <= max_hops <= 3:
            raise UsageError("max_hops must be 1, 2 or 3")
        if not 0 < hop_penalty <= 1:
            raise UsageError("hop_penalty must be in (0, 1]")
        if k <= 0:
            return []
        banned = {int(x) for x in exclude}
        S = [int(s) for s in dict.fromkeys(sources) if int(s) not in banned]
        Sset = set(S)
        T = [int(t) for t in dict.fromkeys(targets) if int(t) not in Sset and int(t) not in banned]
        if not S or not T:
            return []
        rowmax: dict[int, float] = {}
        ids = [_ps(x) for x in S + T]
        for j in range(0, len(ids), 500):
            for r in self.read(ROWMAX, {"ids": ids[j : j + 500]}, what="intro search"):
                rowmax[_pid(r["id"])] = float(r["w"])
        max_s = max((rowmax.get(s, 0.0) for s in S), default=0.0)
        max_t = max((rowmax.get(t, 0.0) for t in T), default=0.0)
        if max_s == 0.0 or max_t == 0.0:
            return []
        meta = self.meta() or {}
        wmax = float(meta.get("max_strength") or 1.0)
        middle_banned = banned if through_sources else banned | Sset
        theta = min(max_s, max_t) * 0.25
        while True:
            found = self._paths_above(S, T, theta, max_hops, hop_penalty, middle_banned, max_s,
                                      wmax, k, per_introducer)  # fmt: skip
            chosen = _select(found, k, per_introducer)
            if len(chosen) == k or theta == 0.0:
                return chosen
            theta = theta / 16.0 if theta > _MIN_THETA else 0.0

    def _paths_above(
        self, S: list[int], T: list[int], theta: float, max_hops: int, p: float,
        middle_banned: set[int], max_s: float, wmax: float, k: int, cap: int | None,
    ) -> list[RawPath]:  # fmt: skip
        """Every simple path of at most `max_hops` that scores at least `theta` and can reach
        the top `k` (3-hop paths are asked for only above the k-th score of the shorter ones,
        when there are k of those: a longer path at the same score ranks after them). The
        server prunes with slightly loosened bounds; scores are recomputed here in the
        embedded engine's order of operations and tested exactly."""
        pp = p * p
        base = {"sources": [_ps(s) for s in S], "banned": [_ps(b) for b in sorted(middle_banned)]}
        chunks = [[_ps(t) for t in T[j : j + 500]] for j in range(0, len(T), 500)]
        out: list[RawPath] = []
        th = theta * _SLACK
        for targets in chunks:
            for r in self.read(PATHS_1, {**base, "targets": targets, "theta": th}, what="intro search"):
                w = float(r["w1"])
                if w >= theta:
                    out.append(RawPath(w, (_pid(r["s"]), _pid(r["t"])), ()))
            if max_hops >= 2:
                params = {**base, "targets": targets, "theta": th, "p": p, "b2": th / (p * max_s)}
                for r in self.read(PATHS_2, params, what="intro search"):
                    sc = float(r["w1"]) * (float(r["w2"]) * p)
                    if sc >= theta:
                        out.append(RawPath(sc, (_pid(r["s"]), _pid(r["m"]), _pid(r["t"])), ()))
        if max_hops < 3:
            return out
        short = _select(out, k, cap)
        theta3 = max(theta, short[-1].score) if len(short) == k else theta
        th = theta3 * _SLACK
        for targets in chunks:
            params = {**base, "targets": targets, "theta": th, "pp": pp,
                      "b3": th / (pp * wmax * max_s), "b23": th / (pp * max_s)}  # fmt: skip
            for r in self.read(PATHS_3, params, what="intro search"):
                sc = float(r["w1"]) * (float(r["w2"]) * float(r["w3"]) * pp)
                if sc >= theta3:
                    out.append(RawPath(sc, (_pid(r["s"]), _pid(r["a"]), _pid(r["b"]), _pid(r["t"])), ()))
        return out

    def intro(
        self,
        target: str,
        *,
        sources: Sequence[str] = (),
        team: bool = False,
        company: bool = False,
        title: str | None = None,
        k: int = 5,
        max_hops: int = 3,
        hop_penalty: float = DEFAULT_HOP_PENALTY,
        per_introducer: int | None = DEFAULT_PER_INTRODUCER,
    ) -> IntroResult:
        """Ranked, explained intro paths to `target`, answered by the server: the same
        `IntroResult` as `graph.explorer.Explorer.intro` (the evidence of a tie lists its
        interaction counts; the source rows stay in the workspace)."""
        meta = self.meta()
        if not meta:
            raise StoreError(f"nothing synced to {self.config.target} yet: run `tiegraph sync neo4j`")
        src = self.resolve_sources(sources, team=team)
        tgt = self.resolve_target(target, company=company, title=title)
        raw = self.top_paths(src, tgt.nodes, k=k, max_hops=max_hops, hop_penalty=hop_penalty,
                             per_introducer=per_introducer, through_sources=False)  # fmt: skip
        uniq = list(dict.fromkeys(src))
        info = self.people_info(uniq)
        src_info = [{k_: info[s][k_] for k_ in ("id", "name", "company", "title", "team")} for s in uniq if s in info]
        mv = str(meta.get("model_version") or "")
        result = IntroResult(tgt, src_info, self._explain(raw, tgt, meta), mv)
        # the messages of graph.intro.find_intros, for the same situations
        if result.paths:
            return result
        if not tgt.nodes:
            result.message = f"nobody matches {tgt.label!r}"
        elif set(tgt.nodes) <= set(src):
            result.message = f"{tgt.label} is on your side already"
        else:
            result.message = f"no path to {tgt.label} within {max_hops} hops"
            others = [c for c in tgt.company_nodes if c not in set(tgt.nodes)]
            if others:
                near = self.top_paths(src, others, k=3, max_hops=max_hops, hop_penalty=hop_penalty,
                                      per_introducer=1, through_sources=False)  # fmt: skip
                result.nearest = self._explain(near, None, meta, with_team=True)
                if result.nearest:
                    who = result.nearest[0].path[-1]
                    result.message += (
                        f"; nearest step: {who['name']} at {tgt.company or who['company']} "
                        "is reachable and may know them"
                    )
                else:
                    result.message += f", nor to anyone else at {tgt.company}"
        return result

    def why_not(self, *args: Any, **kwargs: Any) -> Any:
        """Not available from Neo4j (it re-weighs every tie): use the embedded store."""
        raise UsageError("--why-not needs the embedded store (drop --store neo4j)")

    def _explain(
        self, raws: list[RawPath], target: Target | None, meta: dict, *, with_team: bool = False
    ) -> list[IntroPath]:
        """Explained paths, as `graph.intro` explains them, from the server's people and ties."""
        if not raws:
            return []
        info = self.people_info([n for r in raws for n in r.nodes])
        pairs = list(dict.fromkeys((min(a, b), max(a, b)) for r in raws
                                     for a, b in zip(r.nodes, r.nodes[1:], strict=False)))  # fmt: skip
        props: dict[tuple[int, int], dict] = {}
        for j in range(0, len(pairs), 300):
            chunk = [[_ps(a), _ps(b)] for a, b in pairs[j : j + 300]]
            for rec in self.read(TIE_PROPS, {"pairs": chunk}, what="reading ties"):
                props[(_pid(rec["a"]), _pid(rec["b"]))] = dict(rec["props"])
        now = _days_to_datetime(float(meta.get("now_days") or 0.0))
        assert now is not None
        mv = str(meta.get("model_version") or "")
        out = []
        for rank, raw in enumerate(raws, 1):
            people = [info.get(n) or {"id": _ps(n), "name": "?", "company": None, "title": None} for n in raw.nodes]
            path = [{"id": d["id"], "name": d["name"], "company": d["company"], "title": d["title"]} for d in people]
            ties, whys = [], []
            for h in range(raw.hops):
                a, b = raw.nodes[h], raw.nodes[h + 1]
                pr = props.get((min(a, b), max(a, b)), {})
                ev = _evidence(pr, forward=a < b)
                name_a, name_b = people[h]["name"] or path[h]["id"], people[h + 1]["name"] or path[h + 1]["id"]
                why = explain(name_a, name_b, ev, now=now)
                whys.append(why)
                ties.append({
                    "from": path[h]["id"], "to": path[h + 1]["id"],
                    "strength": round(float(pr.get("strength", 0.0)), 4),
                    "components": {c: round(float(pr.get(c, 0.0)), 4) for c in COMPONENTS},
                    "why": why, "evidence": [f"{kind} × {n}" for kind, n in
                                             sorted(ev.counts.items(), key=lambda kv: -kv[1])],
                })  # fmt: skip
            if target is not None and target.person:
                tgt = target.person
            elif with_team:  # as graph.intro explains the nearest step: the whole person
                tgt = {k: people[-1].get(k) for k in ("id", "name", "company", "title", "team")}
            else:
                tgt = path[-1]
            out.append(IntroPath(rank, raw.score, path, ties, "; then ".join(whys), tgt, mv))
        return out

    # ------------------------------------------------------------------ reach
    def reach_counts(
        self,
        sources: Sequence[str] = (),
        *,
        team: bool = False,
        max_hops: int = 3,
        min_strength: float = 0.0,
    ) -> dict[int, int]:
        """How many people are exactly 1, 2, 3 hops from the sources (``{1: n1, 2: n2, 3:
        n3}``), over ties of at least `min_strength`, counted by Cypher on the server.

        Sources as in `resolve_sources` (names, ids or emails; default: me, else the team).
        """
        if not 1 <= max_hops <= 3:
            raise UsageError("max_hops must be 1, 2 or 3")
        src = [_ps(s) for s in self.resolve_sources(sources, team=team)]
        counts = {h: 0 for h in range(1, max_hops + 1)}
        for r in self.read(REACH, {"sources": src, "min": float(min_strength)}, what="counting reach"):
            d = int(r["d"])
            if 1 <= d <= max_hops:
                counts[d] = int(r["c"])
        return counts


def _evidence(props: dict, *, forward: bool) -> TieEvidence:
    """The `TieEvidence` a KNOWS relationship carries (as `TieIndex.tie_evidence` builds it),
    oriented from its lower-id end when `forward`, else from the other end."""
    counts = {k: int(props.get(p) or 0) for k, p in zip(INTERACTION_KINDS, COUNT_PROPS, strict=True)
              if props.get(p)}  # fmt: skip
    ctx = int(props.get("ctx") or 0)
    contexts = {
        name: (float(props.get("ctx_value") or 0.0) if name == "colleague_now" else CONTEXTS[name])
        for name, bit in CONTEXT_BITS.items() if ctx & bit
    }  # fmt: skip
    n_ab, n_ba = int(props.get("n_ab") or 0), int(props.get("n_ba") or 0)
    if not forward:
        n_ab, n_ba = n_ba, n_ab
    return TieEvidence(
        weighted=0.0, n_ab=n_ab, n_ba=n_ba, n_broadcast=int(props.get("n_broadcast") or 0),
        first=_days_to_datetime(props.get("first")), last=_days_to_datetime(props.get("last")),
        last_personal=_days_to_datetime(props.get("last_personal")), counts=counts,
        contexts=contexts, colleague_at=props.get("colleague_at"),
    )  # fmt: skip


def _chunks(
    items: Iterable, max_rows: int, max_bytes: int, size: Callable[[Any], int]
) -> Iterator[list]:
    """Consecutive batches of `items` with at most `max_rows` items and `max_bytes` of
    ``size(item) + 2`` each (an item bigger than that goes alone)."""
    out: list = []
    used = 0
    for it in items:
        n = size(it) + 2
        if out and (len(out) >= max_rows or used + n > max_bytes):
            yield out
            out, used = [], 0
        out.append(it)
        used += n
    if out:
        yield out
