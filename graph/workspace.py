"""The embedded store: one SQLite file that is the system of record.

A workspace holds people, companies, positions and interactions, each row traceable to the
file and line it came from, plus the log of identity merges. It is a plain SQLite file in WAL
mode (readers never block the one writer), default ``./tiegraph.db``.

Guarantees
----------
* **All or nothing**: each import runs in one transaction; a failure (or a killed process)
  leaves the workspace exactly as before.
* **Idempotent by content**: an export already imported (same bytes, same owner) is not
  imported again; a newer export that repeats old rows adds only the new evidence, because each
  interaction carries a fingerprint of its content.
* **Traceable**: every mention of a person, interaction and position keeps its import and line.
* **Versioned schema**: ``PRAGMA user_version`` records the schema version; `_MIGRATIONS` moves
  an older file forward inside a transaction.

Rows are *mentions* (what one row of one source says about someone); a person is the set of
mentions resolved to them (`graph.identity`). Merging people moves mentions; undoing a merge
moves them back, which is why interactions point at mentions, not at people.
"""

from __future__ import annotations

import gc
import hashlib
from hashlib import blake2b
import json
import logging
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parseaddr
from glob import escape as glob_escape
from itertools import count, islice
from pathlib import Path
from typing import Any

from graph.errors import Ambiguous, NotFound, StoreError, UsageError
from graph.identity import (
    Resolver,
    identity_keys,
    norm_company,
    norm_email,
    norm_linkedin_url,
    norm_name,
)
from graph.model import SHARING_LEVELS, Company, Interaction, Person, Position, Record, Skipped

__all__ = [
    "Workspace",
    "ImportReport",
    "PersonView",
    "MergeView",
    "default_path",
    "SCHEMA_VERSION",
]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4
DEFAULT_FILE = "tiegraph.db"

_SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    format TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    owner_id INTEGER,
    at TEXT NOT NULL,
    records INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    company TEXT,
    company_id INTEGER,
    title TEXT,
    team INTEGER NOT NULL DEFAULT 0,
    sharing TEXT NOT NULL DEFAULT 'full'
);
CREATE INDEX people_company ON people(company_id);
CREATE TABLE mentions (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL,
    import_id INTEGER NOT NULL REFERENCES imports(id),
    line INTEGER,
    file TEXT,
    name TEXT NOT NULL DEFAULT '',
    emails TEXT NOT NULL DEFAULT '',
    linkedin TEXT,
    phones TEXT NOT NULL DEFAULT '',
    company TEXT,
    title TEXT,
    ext_id TEXT,
    team INTEGER NOT NULL DEFAULT 0,
    is_owner INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mentions_person ON mentions(person_id);
CREATE INDEX mentions_import ON mentions(import_id);
CREATE TABLE keys (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    person_id INTEGER NOT NULL,
    PRIMARY KEY (kind, value, person_id)
) WITHOUT ROWID;
CREATE INDEX keys_person ON keys(person_id);
CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
    norm TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    domain TEXT,
    industry TEXT,
    ext_id TEXT,
    import_id INTEGER,
    line INTEGER
);
CREATE TABLE positions (
    id INTEGER PRIMARY KEY,
    mention_id INTEGER NOT NULL REFERENCES mentions(id),
    company_id INTEGER NOT NULL REFERENCES companies(id),
    title TEXT,
    start TEXT,
    end TEXT,
    current INTEGER NOT NULL DEFAULT 0,
    import_id INTEGER NOT NULL,
    line INTEGER,
    fp BLOB NOT NULL UNIQUE
);
CREATE INDEX positions_mention ON positions(mention_id);
CREATE TABLE interactions (
    id INTEGER PRIMARY KEY,
    a INTEGER NOT NULL REFERENCES mentions(id),
    b INTEGER NOT NULL REFERENCES mentions(id),
    kind TEXT NOT NULL,
    at TEXT,
    directed INTEGER NOT NULL,
    group_size INTEGER NOT NULL,
    import_id INTEGER NOT NULL,
    file TEXT,
    line INTEGER,
    fp BLOB NOT NULL UNIQUE
);
CREATE INDEX interactions_a ON interactions(a);
CREATE INDEX interactions_b ON interactions(b);
CREATE TABLE merges (
    id INTEGER PRIMARY KEY,
    kept INTEGER NOT NULL,
    merged INTEGER NOT NULL,
    reason TEXT NOT NULL,
    key TEXT,
    at TEXT NOT NULL,
    import_id INTEGER,
    mentions TEXT NOT NULL,
    undone INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE apart (a INTEGER NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE TABLE skipped (
    import_id INTEGER NOT NULL,
    file TEXT NOT NULL,
    line INTEGER,
    reason TEXT NOT NULL
);
"""

#: Version 2: follow-up cadence set by hand, per relationship (`Workspace.set_cadence`).
#: ``owner_id`` is the team member, or 0 for "every team member"; ``person_id`` the contact.
_SCHEMA_V2 = """
CREATE TABLE cadence (
    owner_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL,
    bucket TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (owner_id, person_id)
) WITHOUT ROWID;
CREATE INDEX cadence_person ON cadence(person_id);
"""

#: Version 3: team privacy levels (`Workspace.set_sharing`, `graph.privacy`). A level belongs
#: to a relationship, not to a person: ``owner_id`` is the team member whose exports show the
#: contact, ``person_id`` the contact, or 0 for that owner's default (no row: ``full``). The
#: version-1 column ``people.sharing`` (one level per person, never read) is superseded: a team
#: member's value other than ``full`` becomes their default here, and the column is left unused.
_SCHEMA_V3 = """
CREATE TABLE sharing (
    owner_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('private', 'ask', 'full')),
    at TEXT NOT NULL,
    PRIMARY KEY (owner_id, person_id)
) WITHOUT ROWID;
CREATE INDEX sharing_person ON sharing(person_id);
INSERT INTO sharing(owner_id, person_id, level, at)
    SELECT id, 0, sharing, datetime('now') FROM people WHERE team AND sharing IN ('private', 'ask');
INSERT OR IGNORE INTO meta(key, value) VALUES ('sharing', '0')
"""

#: The indexes of ``interactions`` (version 4 on). A large import drops and rebuilds them
#: (`_Importer`): building an index once from sorted keys is several times cheaper than
#: keeping it up to date row by row, above all the unique index of the random fingerprints.
_INTERACTION_INDEXES = {
    "CREATE UNIQUE INDEX interactions_fp ON interactions(fp)": "DROP INDEX interactions_fp",
    "CREATE INDEX interactions_a ON interactions(a)": "DROP INDEX interactions_a",
    "CREATE INDEX interactions_b ON interactions(b)": "DROP INDEX interactions_b",
}

#: Version 4: the uniqueness of interaction fingerprints is a named index rather than a column
#: constraint (an automatic index cannot be dropped), so that a large import can rebuild it.
#: SQLite cannot drop a constraint: the table is copied into one without it, ids kept.
_SCHEMA_V4 = """
CREATE TABLE interactions_v4 (
    id INTEGER PRIMARY KEY,
    a INTEGER NOT NULL REFERENCES mentions(id),
    b INTEGER NOT NULL REFERENCES mentions(id),
    kind TEXT NOT NULL,
    at TEXT,
    directed INTEGER NOT NULL,
    group_size INTEGER NOT NULL,
    import_id INTEGER NOT NULL,
    file TEXT,
    line INTEGER,
    fp BLOB NOT NULL
);
INSERT INTO interactions_v4(id, a, b, kind, at, directed, group_size, import_id, file, line, fp)
    SELECT id, a, b, kind, at, directed, group_size, import_id, file, line, fp FROM interactions;
DROP TABLE interactions;
ALTER TABLE interactions_v4 RENAME TO interactions;
""" + ";\n".join(_INTERACTION_INDEXES)

#: Schema version -> SQL that brings a file at the previous version to it.
_MIGRATIONS: dict[int, str] = {1: _SCHEMA_V1, 2: _SCHEMA_V2, 3: _SCHEMA_V3, 4: _SCHEMA_V4}

#: People whose name, email or LinkedIn URL (and with True: company or title) is LIKE ?1.
_PEOPLE_MATCHING = {
    True: "SELECT id, name FROM people WHERE name LIKE ?1 ESCAPE '\\' "
    "OR company LIKE ?1 ESCAPE '\\' OR title LIKE ?1 ESCAPE '\\' "
    "UNION SELECT p.id, p.name FROM keys k JOIN people p ON p.id = k.person_id "
    "WHERE k.kind IN ('email', 'linkedin') AND k.value LIKE ?1 ESCAPE '\\'",
    False: "SELECT id, name FROM people WHERE name LIKE ?1 ESCAPE '\\' "
    "UNION SELECT p.id, p.name FROM keys k JOIN people p ON p.id = k.person_id "
    "WHERE k.kind IN ('email', 'linkedin') AND k.value LIKE ?1 ESCAPE '\\'",
}

_REASONS = {
    "id": "same record id",
    "email": "same email address",
    "linkedin": "same LinkedIn profile",
    "namecomp": "same name at the same company",
    "team": "same team member name",
    "ownername": "same name in one owner's network",
    "manual": "merged by hand",
}


#: The page cache of a connection, and of one during a large import (`_Importer._go_bulk`):
#: a large import's pages (the random key and fingerprint B-trees above all) then stay in
#: memory until the commit writes each once, instead of spilling to the WAL and being read
#: and written again; on a 2M-row LinkedIn import that halves the time. Pages are taken as
#: used and given back after the import.
_CACHE = "PRAGMA cache_size = -262144"
_CACHE_LARGE = "PRAGMA cache_size = -1048576"


def default_path() -> Path:
    """``$TIEGRAPH_WORKSPACE`` if set, else ``./tiegraph.db``."""
    return Path(os.environ.get("TIEGRAPH_WORKSPACE") or DEFAULT_FILE)


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def pid_str(pid: int) -> str:
    """The public, opaque id of a person: ``p`` and a number (never an email)."""
    return f"p{pid}"


def _fp(*parts: object) -> bytes:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=12).digest()


@dataclass
class ImportReport:
    """What one import did: counts, merges made, rows skipped (with file and line)."""

    label: str
    format: str
    already: bool = False
    records: int = 0
    people_new: int = 0
    mentions: int = 0
    interactions: int = 0
    interactions_repeated: int = 0
    companies: int = 0
    positions: int = 0
    merges: list[dict] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "file": self.label,
            "format": self.format,
            "already_imported": self.already,
            "records": self.records,
            "people_new": self.people_new,
            "mentions": self.mentions,
            "interactions": self.interactions,
            "interactions_repeated": self.interactions_repeated,
            "companies": self.companies,
            "positions": self.positions,
            "merges": self.merges,
            "skipped": [{"file": s.file, "line": s.line, "reason": s.reason} for s in self.skipped],
        }


@dataclass
class PersonView:
    """A person as the workspace knows them now, across all sources."""

    id: str
    name: str
    company: str | None
    title: str | None
    emails: list[str]
    linkedin_url: str | None
    team: bool
    sources: list[str]
    owners: list[str]

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "company": self.company,
            "title": self.title,
            "emails": self.emails,
            "linkedin_url": self.linkedin_url,
            "team": self.team,
            "sources": self.sources,
            "owners": self.owners,
        }


@dataclass
class MergeView:
    """One logged merge: who was kept, who was folded in, and why."""

    id: int
    kept: str
    merged: str
    reason: str
    at: str
    undone: bool

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "kept": self.kept,
            "merged": self.merged,
            "reason": self.reason,
            "at": self.at,
            "undone": self.undone,
        }


def parse_owner(spec: str | None) -> Person:
    """``"Priya Shah <priya@ourco.com>"``, ``priya@ourco.com`` or ``"Priya Shah"`` into the
    owner Person (a team member). No spec means the workspace's default owner, "me"."""
    spec = (spec or "").strip()
    if not spec:
        return Person(name="me", team=True, is_owner=True)
    url = norm_linkedin_url(spec) if "linkedin." in spec.lower() else None
    if url:
        return Person(name="", linkedin_url=url, team=True, is_owner=True)
    name, addr = parseaddr(spec)
    email = norm_email(addr) if "@" in spec else None
    if email:
        return Person(name=name.strip() or "", emails=(email,), team=True, is_owner=True)
    return Person(name=spec, team=True, is_owner=True)


class Workspace:
    """An open workspace file. Use `Workspace.open`; close it (or use ``with``) when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection, readonly: bool):
        self.path = path
        self._db = conn
        self.readonly = readonly

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(
        cls, path: str | os.PathLike | None = None, *, readonly: bool = False, create: bool = True
    ) -> Workspace:
        """Open (and create or migrate) the workspace at `path` (default: `default_path()`).

        Raises `NotFound` when `create` is false or `readonly` is true and there is no file,
        and `StoreError` for a file that is not a tiegraph workspace.
        """
        p = Path(path) if path is not None else default_path()
        exists = p.exists()
        if not exists and (readonly or not create):
            raise NotFound(f"no workspace at {p}: run `tiegraph load EXPORT` or `tiegraph demo` first")
        try:
            if readonly:
                conn = sqlite3.connect(
                    f"file:{p.resolve()}?mode=ro", uri=True, isolation_level=None, timeout=30
                )
            else:
                if p.parent and not p.parent.exists():
                    p.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(str(p), isolation_level=None, timeout=30)
            conn.execute("PRAGMA busy_timeout = 30000")
            if not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(_CACHE)  # 256 MiB: index pages of big imports
            conn.execute("PRAGMA foreign_keys = OFF")
            ws = cls(p, conn, readonly)
            ws._migrate()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{p} is not a tiegraph workspace ({e})") from e
        return ws

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version == 0:
            tables = self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise StoreError(f"{self.path} is an SQLite file but not a tiegraph workspace")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer tiegraph (schema {version}); upgrade tiegraph"
            )
        if self.readonly:
            self._upgrade_through_writer(version)
            return
        with self._tx():
            for v in range(version + 1, SCHEMA_VERSION + 1):
                for stmt in _MIGRATIONS[v].split(";"):
                    if stmt.strip():
                        self._db.execute(stmt)
                self._db.execute(f"PRAGMA user_version = {int(v)}")
            self._db.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('generation', '0')"
            )

    def _upgrade_through_writer(self, version: int) -> None:
        """Migrate an older file opened read-only through a short read-write connection, so
        every read-only command keeps working on a workspace written by an older tiegraph. A
        file that cannot be written (permissions, read-only medium) stays a clear error."""
        if version == 0:
            raise StoreError(f"{self.path} is empty, not a tiegraph workspace yet")
        try:
            Workspace.open(self.path).close()
        except StoreError as e:
            raise StoreError(
                f"{self.path} needs a schema upgrade (version {version} to {SCHEMA_VERSION}) "
                f"and could not be upgraded here ({e}); open it read-write once"
            ) from e
        now = self._db.execute("PRAGMA user_version").fetchone()[0]
        if now != SCHEMA_VERSION:
            raise StoreError(f"{self.path} needs a schema upgrade; open it read-write once")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        if self.readonly:
            raise StoreError("the workspace is open read-only")
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[Workspace]:
        """Read one state of the workspace: every query inside the block sees the workspace
        as it was at the block's first read, whatever an import in another process commits
        meanwhile (one SQLite read transaction; in WAL mode it neither waits for the writer
        nor holds it up). Re-entrant: a block inside another, or inside a write, is part of it.

        Derived data built inside the block (the tie index, names, evidence) therefore all
        come from one state, never half from before an import and half from after it.
        """
        if self._db.in_transaction:
            yield self
            return
        self._db.execute("BEGIN")
        try:
            yield self
        finally:
            if self._db.in_transaction:
                self._db.execute("COMMIT")  # nothing was written: this only ends the snapshot

    # ------------------------------------------------------------------ state
    @property
    def generation(self) -> int:
        """A counter bumped by every change; caches of derived data are keyed by it."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def _bump(self) -> None:
        self._db.execute(
            "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'generation'"
        )

    def sql(self, query: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Run a read-only query (for `graph.build` and tests); rows as tuples."""
        return self._db.execute(query, tuple(params)).fetchall()

    def cursor(self, query: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        """A streaming cursor over a read query (for large reads in `graph.build`)."""
        return self._db.execute(query, tuple(params))

    # ------------------------------------------------------------------ import
    def import_records(
        self,
        records: Iterable[Record],
        *,
        label: str,
        format: str,
        digest: str,
        owner: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Import one unit of records in one transaction.

        `digest` identifies the content: a unit already imported returns a report with
        ``already=True`` and changes nothing. `progress` is called with the number of records
        read so far, every few thousand records. Any exception rolls everything back.
        """
        report = ImportReport(label, format)
        if self._db.execute("SELECT 1 FROM imports WHERE digest = ?", (digest,)).fetchone():
            report.already = True
            return report
        collecting = gc.isenabled()
        gc.disable()  # an import allocates millions of small acyclic objects
        try:
            with self._tx():
                _Importer(self._db, report, owner, progress).run(records, label, format, digest)
                self._bump()
        finally:
            self._db.execute(_CACHE)  # a large import may have raised it
            if collecting:
                gc.enable()
        return report

    # ------------------------------------------------------------------ reading
    def stats(self) -> dict[str, int]:
        """Counts of what the workspace holds."""
        q = self._db.execute
        one = lambda sql: q(sql).fetchone()[0]  # noqa: E731
        return {
            "people": one("SELECT count(*) FROM people"),
            "team": one("SELECT count(*) FROM people WHERE team"),
            "companies": one("SELECT count(*) FROM companies"),
            "interactions": one("SELECT count(*) FROM interactions"),
            "ties": one(
                "SELECT count(*) FROM (SELECT DISTINCT min(ma.person_id, mb.person_id), "
                "max(ma.person_id, mb.person_id) FROM interactions i "
                "JOIN mentions ma ON ma.id = i.a JOIN mentions mb ON mb.id = i.b "
                "WHERE ma.person_id != mb.person_id)"
            ),
            "positions": one("SELECT count(*) FROM positions"),
            "imports": one("SELECT count(*) FROM imports"),
            "sources": one("SELECT count(DISTINCT format) FROM imports"),
            "merges": one("SELECT count(*) FROM merges WHERE NOT undone"),
            "skipped_rows": one("SELECT count(*) FROM skipped"),
        }

    def person(self, pid: int | str) -> PersonView:
        """One person by id (``p12`` or 12)."""
        views = self._views([_pid(pid)])
        if not views:
            raise NotFound(f"no person {pid}")
        return views[0]

    def _views(self, pids: list[int]) -> list[PersonView]:
        if not pids:
            return []
        out: dict[int, PersonView] = {}
        for chunk in _chunks(pids, 500):
            marks = ",".join("?" * len(chunk))
            for pid, name, company, title, team in self._db.execute(
                f"SELECT id, name, company, title, team FROM people WHERE id IN ({marks})",  # noqa: S608
                chunk,
            ):
                out[pid] = PersonView(pid_str(pid), name, company, title, [], None, bool(team), [], [])
            for pid, kind, value in self._db.execute(
                f"SELECT person_id, kind, value FROM keys WHERE person_id IN ({marks}) "  # noqa: S608
                "AND kind IN ('email', 'linkedin') ORDER BY kind, value",
                chunk,
            ):
                v = out.get(pid)
                if v is None:
                    continue
                if kind == "email":
                    v.emails.append(value)
                elif v.linkedin_url is None:
                    v.linkedin_url = value
            for pid, fmt, owner in self._db.execute(
                "SELECT DISTINCT m.person_id, i.format, o.name FROM mentions m "
                "JOIN imports i ON i.id = m.import_id LEFT JOIN people o ON o.id = i.owner_id "
                f"WHERE m.person_id IN ({marks}) ORDER BY i.format",  # noqa: S608
                chunk,
            ):
                v = out.get(pid)
                if v is None:
                    continue
                if fmt not in v.sources:
                    v.sources.append(fmt)
                if owner and owner not in v.owners and v.name != owner:
                    v.owners.append(owner)
        return [out[p] for p in pids if p in out]

    def people(
        self,
        query: str | None = None,
        *,
        limit: int | None = None,
        visible: Callable[[int], bool] | None = None,
        roles: bool = True,
    ) -> list[PersonView]:
        """People whose name, email, LinkedIn URL, company or title contains `query` (all if
        None), best matches first (exact name, then name prefix, then anything else); with
        `visible`, only the people (ids) it accepts (a viewer's, `graph.privacy`); without
        `roles`, company and title are not searched (where the company itself is offered, as
        in `graph.answers.suggest_targets`, its thousands of people would only crowd out the
        people whose own name matches)."""
        if not query or not query.strip():
            sql = "SELECT id FROM people ORDER BY name COLLATE NOCASE, id"
            params: tuple = ()
            if limit and visible is None:
                sql += " LIMIT ?"
                params = (limit,)
            ids = (r[0] for r in self._db.execute(sql, params))
            if visible is not None:
                ids = (p for p in ids if visible(p))
            return self._views(list(islice(ids, limit or None)))
        q = query.strip()
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._db.execute(_PEOPLE_MATCHING[roles], (like,)).fetchall()
        if visible is not None:
            rows = [r for r in rows if visible(r[0])]
        ql = q.casefold()
        rows.sort(
            key=lambda r: (
                0 if r[1].casefold() == ql else 1 if r[1].casefold().startswith(ql) else 2,
                r[1].casefold(),
                r[0],
            )
        )
        if limit:
            rows = rows[:limit]
        return self._views([r[0] for r in rows])

    def find_person(self, who: str, *, visible: Callable[[int], bool] | None = None) -> int:
        """The id of the one person `who` names: ``p12``, an email, a LinkedIn URL, or a name.

        With `visible`, people (ids) it rejects do not exist for this call: they match
        nothing, are no candidates, and the messages are those for nobody (a viewer's view,
        `graph.privacy`). Raises `NotFound` when nobody matches and `Ambiguous` (with the
        candidates) when a name matches several people.
        """
        who = (who or "").strip()
        if not who:
            raise NotFound("no person named")
        seen = visible or (lambda _pid: True)
        if who[:1] in "pP" and who[1:].isdigit():
            pid = int(who[1:])
            if self._db.execute("SELECT 1 FROM people WHERE id = ?", (pid,)).fetchone() and seen(pid):
                return pid
            raise NotFound(f"no person {who}")
        for kind, value in (("email", norm_email(who)), ("linkedin", norm_linkedin_url(who))):
            if value:
                row = next((r for r in self._db.execute(
                    "SELECT person_id FROM keys WHERE kind = ? AND value = ? ORDER BY person_id",
                    (kind, value),
                ) if seen(r[0])), None)  # fmt: skip
                if row:
                    return int(row[0])
                raise NotFound(f"nobody with {kind} {value}")
        exact = [
            r[0]
            for r in self._db.execute(
                "SELECT id FROM people WHERE name = ? COLLATE NOCASE ORDER BY id", (who,)
            )
            if seen(r[0])
        ]
        if not exact:
            target = norm_name(who)
            exact = [
                r[0]
                for r in self._db.execute(
                    "SELECT DISTINCT person_id FROM mentions WHERE name LIKE ? ORDER BY person_id",
                    (f"%{who.split()[0]}%",) if who.split() else ("",),
                )
                if self._name_of(r[0]) is not None and norm_name(self._name_of(r[0])) == target
                and seen(r[0])
            ]
        if len(exact) == 1:
            return exact[0]
        if not exact:
            raise NotFound(f"nobody named {who!r}; try `tiegraph people {who.split()[0]}`")
        views = self._views(exact[:20])
        raise Ambiguous(
            f"{len(exact)} people are named {who!r}; use an id or email: "
            + "; ".join(f"{v.id} ({v.company or 'no company'})" for v in views[:5]),
            candidates=[v.to_dict() for v in views],
        )

    def _name_of(self, pid: int) -> str | None:
        row = self._db.execute("SELECT name FROM people WHERE id = ?", (pid,)).fetchone()
        return row[0] if row else None

    def imports(self) -> list[dict]:
        """Imports so far, oldest first."""
        return [
            {"id": i, "file": label, "format": fmt, "owner": owner, "at": at, "records": n,
             "skipped": s}
            for i, label, fmt, owner, at, n, s in self._db.execute(
                "SELECT i.id, i.label, i.format, p.name, i.at, i.records, i.skipped "
                "FROM imports i LEFT JOIN people p ON p.id = i.owner_id ORDER BY i.id"
            )
        ]

    def merges(self, person: int | str | None = None) -> list[MergeView]:
        """The merge log (optionally only merges involving `person`), newest first."""
        sql = "SELECT id, kept, merged, reason, at, undone FROM merges"
        params: tuple = ()
        if person is not None:
            pid = _pid(person)
            sql += " WHERE kept = ? OR merged = ?"
            params = (pid, pid)
        return [
            MergeView(i, pid_str(k), pid_str(m), r, at, bool(u))
            for i, k, m, r, at, u in self._db.execute(sql + " ORDER BY id DESC", params)
        ]

    # ------------------------------------------------------------------ follow-up cadence
    def set_cadence(
        self,
        contact: str,
        bucket: str | None,
        *,
        owner: str | None = None,
        buckets: Iterable[str] = ("A", "B", "C"),
    ) -> dict:
        """Set by hand how often `contact` should hear from `owner` (a team member), or from
        every team member when `owner` is None; `bucket` None removes the setting, so the
        cadence is inferred again (`graph.cadence`). People are named as in `find_person`."""
        allowed = [b.upper() for b in buckets]
        if bucket is not None and bucket.upper() not in allowed:
            raise UsageError(f"no cadence bucket {bucket!r}; use one of {', '.join(allowed)}")
        pid = self.find_person(contact)
        oid = self.find_person(owner) if owner else 0
        if oid:
            row = self._db.execute("SELECT team FROM people WHERE id = ?", (oid,)).fetchone()
            if not row or not row[0]:
                raise UsageError(f"{owner!r} is not on the team; --owner names a team member")
        if oid == pid:
            raise UsageError("a cadence is between a team member and someone else")
        with self._tx():
            if bucket is None:
                self._db.execute(
                    "DELETE FROM cadence WHERE owner_id = ? AND person_id = ?", (oid, pid)
                )
            else:
                self._db.execute(
                    "INSERT INTO cadence(owner_id, person_id, bucket, at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(owner_id, person_id) DO UPDATE SET bucket = excluded.bucket, "
                    "at = excluded.at",
                    (oid, pid, bucket.upper(), _now()),
                )
            self._bump()
        return {
            "contact": pid_str(pid),
            "name": self._name_of(pid),
            "owner": pid_str(oid) if oid else None,
            "owner_name": self._name_of(oid) if oid else None,
            "bucket": bucket.upper() if bucket else None,
        }

    def cadence_overrides(self) -> list[tuple[int, int, str]]:
        """Cadences set by hand: ``(owner id or 0 for every team member, contact id, bucket)``."""
        return [
            (int(o), int(p), str(b))
            for o, p, b in self._db.execute(
                "SELECT owner_id, person_id, bucket FROM cadence ORDER BY owner_id, person_id"
            )
        ]

    # ------------------------------------------------------------------ team privacy levels
    @property
    def sharing_version(self) -> int:
        """A counter bumped by every change of a sharing level; a viewer's view of the index
        (`graph.privacy`) is rebuilt when it or `generation` changes."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'sharing'").fetchone()
        return int(row[0]) if row else 0

    def set_sharing(self, owner: str, level: str | None, contact: str | None = None) -> dict:
        """Set how much of `owner`'s contacts the rest of the team sees (`graph.privacy`).

        Without `contact`, `level` is the owner's default for every contact their exports
        show; with one, it is the level of that contact alone, over the default. `level` None
        removes the setting (a contact falls back to the default, the default to ``full``).
        People are named as in `find_person`; `owner` must be on the team.

        Returns ``{"owner", "owner_name", "contact", "name", "level", "default",
        "in_owner_exports"}``: `level` is what now applies to the contact (or the default),
        `in_owner_exports` whether any export of the owner shows the contact (a level set in
        advance applies once one does).
        """
        if level is not None and level not in SHARING_LEVELS:
            raise UsageError(f"no sharing level {level!r}; use one of {', '.join(SHARING_LEVELS)}")
        oid = self.find_person(owner)
        row = self._db.execute("SELECT team FROM people WHERE id = ?", (oid,)).fetchone()
        if not row or not row[0]:
            raise UsageError(f"{owner!r} is not on the team; --owner names a team member")
        pid = self.find_person(contact) if contact else 0
        if pid == oid:
            raise UsageError("a sharing level is set for a team member's contacts, not for them")
        with self._tx():
            if level is None:
                self._db.execute("DELETE FROM sharing WHERE owner_id = ? AND person_id = ?", (oid, pid))
            else:
                self._db.execute(
                    "INSERT INTO sharing(owner_id, person_id, level, at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(owner_id, person_id) DO UPDATE SET level = excluded.level, "
                    "at = excluded.at",
                    (oid, pid, level, _now()),
                )
            self._bump_sharing()
        levels = dict(self._db.execute(
            "SELECT person_id, level FROM sharing WHERE owner_id = ? AND person_id IN (0, ?)", (oid, pid)
        ).fetchall())  # fmt: skip
        default = levels.get(0, "full")
        shown = bool(pid) and self._db.execute(
            "SELECT 1 FROM mentions m JOIN imports i ON i.id = m.import_id "
            "WHERE m.person_id = ? AND i.owner_id = ? LIMIT 1",
            (pid, oid),
        ).fetchone() is not None
        return {
            "owner": pid_str(oid), "owner_name": self._name_of(oid),
            "contact": pid_str(pid) if pid else None, "name": self._name_of(pid) if pid else None,
            "level": levels.get(pid, default), "default": default,
            "in_owner_exports": shown if pid else None,
        }  # fmt: skip

    def _bump_sharing(self) -> None:
        self._db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('sharing', '0')")
        self._db.execute(
            "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'sharing'"
        )

    def sharing_rows(self) -> list[tuple[int, int, str]]:
        """Sharing levels set: ``(owner id, contact id or 0 for the owner's default, level)``."""
        return [
            (int(o), int(p), str(lv))
            for o, p, lv in self._db.execute(
                "SELECT owner_id, person_id, level FROM sharing ORDER BY owner_id, person_id"
            )
        ]

    def sharing(self, owner: str | None = None) -> list[dict]:
        """The sharing levels set (of `owner`, or of everyone), for showing: ``{"owner",
        "owner_name", "contact", "name", "level"}``; `contact` None is the owner's default."""
        oid = self.find_person(owner) if owner else None
        rows = [r for r in self.sharing_rows() if oid is None or r[0] == oid]
        names = {v.id: v.name for v in self._views(sorted({p for r in rows for p in r[:2] if p}))}
        return [
            {"owner": pid_str(o), "owner_name": names.get(pid_str(o)),
             "contact": pid_str(p) if p else None, "name": names.get(pid_str(p)) if p else None,
             "level": lv}  # fmt: skip
            for o, p, lv in rows
        ]

    # ------------------------------------------------------------------ identity repair
    def merge(self, a: str, b: str) -> MergeView:
        """Merge person `b` into person `a` by hand (logged; undo with `unmerge`)."""
        ka, kb = self.find_person(a), self.find_person(b)
        if ka == kb:
            raise UsageError(f"{a!r} and {b!r} are already the same person ({pid_str(ka)})")
        with self._tx():
            mid = _apply_merge(self._db, ka, kb, "manual", None, None)
            self._db.execute("DELETE FROM apart WHERE a = ? AND b = ?", (min(ka, kb), max(ka, kb)))
            _refresh_people(self._db, [ka])
            self._bump()
        return self.merges_by_id(mid)

    def merges_by_id(self, mid: int) -> MergeView:
        row = self._db.execute(
            "SELECT id, kept, merged, reason, at, undone FROM merges WHERE id = ?", (mid,)
        ).fetchone()
        if not row:
            raise NotFound(f"no merge {mid}")
        i, k, m, r, at, u = row
        return MergeView(i, pid_str(k), pid_str(m), r, at, bool(u))

    def unmerge(self, ref: str) -> MergeView:
        """Undo a merge: `ref` is a merge id (``m7`` or ``7``) or a person id whose most recent
        merge is undone. The two people are then kept apart in later imports."""
        ref = ref.strip()
        if ref[:1] in "mM" and ref[1:].isdigit() or ref.isdigit():
            mid = int(ref.lstrip("mM"))
            row = self._db.execute(
                "SELECT id FROM merges WHERE id = ? AND NOT undone", (mid,)
            ).fetchone()
        else:
            pid = self.find_person(ref) if not (ref[:1] in "pP" and ref[1:].isdigit()) else int(ref[1:])
            row = self._db.execute(
                "SELECT id FROM merges WHERE (kept = ?1 OR merged = ?1) AND NOT undone "
                "ORDER BY id DESC LIMIT 1",
                (pid,),
            ).fetchone()
        if not row:
            raise NotFound(f"no merge to undo for {ref!r}")
        mid = row[0]
        with self._tx():
            kept, merged, mentions = self._db.execute(
                "SELECT kept, merged, mentions FROM merges WHERE id = ?", (mid,)
            ).fetchone()
            ids = json.loads(mentions)
            for chunk in _chunks(ids, 500):
                marks = ",".join("?" * len(chunk))
                self._db.execute(
                    f"UPDATE mentions SET person_id = ? WHERE person_id = ? AND id IN ({marks})",  # noqa: S608
                    (merged, kept, *chunk),
                )
            self._db.execute("INSERT OR IGNORE INTO people(id) VALUES (?)", (merged,))
            self._db.execute(
                "INSERT OR IGNORE INTO apart(a, b) VALUES (?, ?)", (min(kept, merged), max(kept, merged))
            )
            self._db.execute("UPDATE merges SET undone = 1 WHERE id = ?", (mid,))
            _rebuild_keys(self._db, [kept, merged])
            _refresh_people(self._db, [kept, merged])
            self._bump()
        return self.merges_by_id(mid)

    def forget(self, who: str) -> dict:
        """Remove a person and every row about them: mentions, keys, interactions with them,
        positions, merge log entries, and the keys that scope other people to their network
        when they owned exports. Freed pages are overwritten and the file compacted, so
        nothing of them remains in the workspace file or its journal; the saved index beside
        it is deleted, and the Neo4j sync state beside it keeps only their opaque id, so the
        next ``tiegraph sync neo4j`` deletes them from the server (``neo4j_pending`` names the
        servers that hold them until then)."""
        pid = self.find_person(who)
        view = self.person(pid)
        scopes = self._owner_scopes(pid)
        with self._tx():
            mids = [r[0] for r in self._db.execute("SELECT id FROM mentions WHERE person_id = ?", (pid,))]
            n_inter = 0
            for chunk in _chunks(mids, 500):
                marks = ",".join("?" * len(chunk))
                n_inter += self._db.execute(
                    f"DELETE FROM interactions WHERE a IN ({marks}) OR b IN ({marks})",  # noqa: S608
                    (*chunk, *chunk),
                ).rowcount
                self._db.execute(f"DELETE FROM positions WHERE mention_id IN ({marks})", chunk)  # noqa: S608
            self._db.execute("DELETE FROM mentions WHERE person_id = ?", (pid,))
            self._db.execute("DELETE FROM keys WHERE person_id = ?", (pid,))
            self._db.executemany(
                "DELETE FROM keys WHERE kind = 'ownername' "
                "AND substr(value, 1, length(?1) + 1) = ?1 || '|'",
                [(s,) for s in scopes],
            )
            self._db.execute("DELETE FROM merges WHERE kept = ?1 OR merged = ?1", (pid,))
            self._db.execute("DELETE FROM apart WHERE a = ?1 OR b = ?1", (pid,))
            self._db.execute("DELETE FROM cadence WHERE owner_id = ?1 OR person_id = ?1", (pid,))
            self._db.execute("DELETE FROM sharing WHERE owner_id = ?1 OR person_id = ?1", (pid,))
            self._db.execute("UPDATE imports SET owner_id = NULL WHERE owner_id = ?", (pid,))
            self._db.execute("DELETE FROM people WHERE id = ?", (pid,))
            self._bump()
        self.compact()
        self.drop_derived()
        from graph.neo4j_store import forget_synced  # it owns the sync state's format

        pending = forget_synced(self.path, pid)
        return {"forgotten": view.id, "name": view.name, "mentions": len(mids),
                "interactions": n_inter, "neo4j_pending": pending}  # fmt: skip

    def _owner_scopes(self, pid: int) -> set[str]:
        """What scopes name-only keys to `pid`'s network when `pid` owned exports (their
        email, LinkedIn URL, or name as given with ``--owner``; see `_Importer`)."""
        scopes = {
            v for (v,) in self._db.execute(
                "SELECT value FROM keys WHERE person_id = ? AND kind IN ('email', 'linkedin')", (pid,)
            )
        }  # fmt: skip
        owner = self._db.execute(
            "SELECT 1 FROM imports WHERE owner_id = ?1 UNION ALL "
            "SELECT 1 FROM mentions WHERE person_id = ?1 AND is_owner LIMIT 1",
            (pid,),
        ).fetchone()
        if owner:
            names = self._db.execute("SELECT DISTINCT name FROM mentions WHERE person_id = ?", (pid,))
            scopes.update(norm_name(n) for (n,) in names if norm_name(n))
        return scopes

    def drop_derived(self) -> None:
        """Delete what is derived from the workspace and saved beside it (the tie index, and
        any half-written copy a killed process left), so that nothing removed from the
        workspace survives in a cache; it is rebuilt on use."""
        name = self.path.name + ".index"
        for derived in [self.path.with_name(name), *self.path.parent.glob(f".{glob_escape(name)}.*")]:
            if derived.is_dir():
                shutil.rmtree(derived, ignore_errors=True)
            elif derived.exists():
                derived.unlink()

    def compact(self) -> None:
        """Overwrite freed pages and shrink the file and its WAL (after deletions)."""
        self._db.execute("PRAGMA secure_delete = ON")
        self._db.execute("VACUUM")
        busy, _, _ = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:  # a reader kept an old state past the busy timeout: the WAL is not empty yet
            log.warning("%s: a reader holds an older state; the WAL is emptied at the next "
                        "checkpoint once it is closed", self.path)  # fmt: skip


def _pid(ref: int | str) -> int:
    if isinstance(ref, int):
        return ref
    s = ref.strip()
    if s[:1] in "pP":
        s = s[1:]
    if not s.isdigit():
        raise NotFound(f"not a person id: {ref!r}")
    return int(s)


def _chunks(items: list, n: int) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _apply_merge(
    db: sqlite3.Connection, kept: int, merged: int, kind: str, key: str | None, import_id: int | None
) -> int:
    """Move `merged`'s mentions and keys to `kept`, log it, and drop `merged`'s row."""
    mids = [r[0] for r in db.execute("SELECT id FROM mentions WHERE person_id = ?", (merged,))]
    db.execute("UPDATE mentions SET person_id = ? WHERE person_id = ?", (kept, merged))
    db.execute(
        "INSERT OR IGNORE INTO keys(kind, value, person_id) "
        "SELECT kind, value, ? FROM keys WHERE person_id = ?",
        (kept, merged),
    )
    db.execute("DELETE FROM keys WHERE person_id = ?", (merged,))
    team = db.execute("SELECT team FROM people WHERE id = ?", (merged,)).fetchone()
    if team and team[0]:
        db.execute("UPDATE people SET team = 1 WHERE id = ?", (kept,))
    db.execute("DELETE FROM people WHERE id = ?", (merged,))
    db.execute("UPDATE imports SET owner_id = ? WHERE owner_id = ?", (kept, merged))
    for col in ("person_id", "owner_id"):  # cadences set by hand follow the person
        db.execute(f"UPDATE OR IGNORE cadence SET {col} = ? WHERE {col} = ?", (kept, merged))  # noqa: S608
        db.execute(f"DELETE FROM cadence WHERE {col} = ?", (merged,))  # noqa: S608
    db.execute("DELETE FROM cadence WHERE owner_id = person_id")
    _merge_sharing(db, kept, merged)
    cur = db.execute(
        "INSERT INTO merges(kept, merged, reason, key, at, import_id, mentions) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (kept, merged, _REASONS.get(kind, kind), key, _now(), import_id, json.dumps(mids)),
    )
    return int(cur.lastrowid)


_STRICTER = {lv: i for i, lv in enumerate(SHARING_LEVELS)}  # private < ask < full


def _merge_sharing(db: sqlite3.Connection, kept: int, merged: int) -> None:
    """Sharing levels follow a merged person (as owner and as contact); where both had one
    for the same relationship, the stricter level wins: a merge never shares more."""
    rows = db.execute(
        "SELECT owner_id, person_id, level, at FROM sharing WHERE owner_id = ?1 OR person_id = ?1",
        (merged,),
    ).fetchall()
    if not rows:
        return
    db.execute("DELETE FROM sharing WHERE owner_id = ?1 OR person_id = ?1", (merged,))
    for owner, person, level, at in rows:
        owner = kept if owner == merged else owner
        person = kept if person == merged else person
        if owner == person:
            continue
        have = db.execute(
            "SELECT level FROM sharing WHERE owner_id = ? AND person_id = ?", (owner, person)
        ).fetchone()
        if have is None or _STRICTER[level] < _STRICTER[have[0]]:
            db.execute(
                "INSERT OR REPLACE INTO sharing(owner_id, person_id, level, at) VALUES (?, ?, ?, ?)",
                (owner, person, level, at),
            )


def _rebuild_keys(db: sqlite3.Connection, pids: list[int]) -> None:
    """Recompute the identity keys of `pids` from their mentions."""
    for pid in pids:
        db.execute("DELETE FROM keys WHERE person_id = ?", (pid,))
        rows = db.execute(
            "SELECT name, emails, linkedin, company, ext_id, team FROM mentions WHERE person_id = ?",
            (pid,),
        ).fetchall()
        keys = set()
        for name, emails, linkedin, company, ext_id, team in rows:
            keys.update(
                identity_keys(
                    name=name,
                    emails=[e for e in emails.split("\n") if e],
                    linkedin_url=linkedin,
                    company=company,
                    external_id=ext_id,
                    team=bool(team),
                )
            )
        db.executemany(
            "INSERT OR IGNORE INTO keys(kind, value, person_id) VALUES (?, ?, ?)",
            [(k, v, pid) for k, v in keys],
        )


def _refresh_people(
    db: sqlite3.Connection,
    pids: Iterable[int],
    company_ids: dict[str, int] | None = None,
    known: dict[int, list[tuple]] | None = None,
) -> None:
    """Recompute display name, company, title and team flag from each person's mentions.

    The newest mention that says something wins; among names, a full name (with a space) beats
    a bare first name. With no company in any mention, a current position's company is used
    (the owner of a LinkedIn archive is known by their Positions.csv). `known` gives, for
    people seen only in the running import, their mention rows (newest first) so that they
    need not be read back.
    """
    rows_by: dict[int, list] = dict(known or {})
    current: dict[int, tuple[str, str | None]] = {}
    pids = list(set(pids))
    for chunk in _chunks([p for p in pids if p not in rows_by], 500):
        marks = ",".join("?" * len(chunk))
        for row in db.execute(
            "SELECT person_id, name, company, title, team, is_owner, import_id, id FROM mentions "
            f"WHERE person_id IN ({marks}) ORDER BY import_id DESC, id DESC",  # noqa: S608
            chunk,
        ):
            rows_by.setdefault(row[0], []).append(row)
        for pid, cname, title in db.execute(
            "SELECT m.person_id, c.name, po.title FROM positions po "
            "JOIN mentions m ON m.id = po.mention_id JOIN companies c ON c.id = po.company_id "
            f"WHERE po.current AND m.person_id IN ({marks}) "  # noqa: S608
            "ORDER BY coalesce(po.start, '') ASC",
            chunk,
        ):
            current[pid] = (cname, title)  # the latest start wins
    updates = []
    for pid in pids:
        rows = rows_by.get(pid)
        if not rows:
            db.execute("DELETE FROM people WHERE id = ?", (pid,))
            continue
        if len(rows) == 1:  # most people of a large import: what the general rules give
            r = rows[0]
            name = r[1] if r[1] and r[1].strip() else ""
            company, title, team = r[2] or None, r[3] or None, int(bool(r[4] or r[5]))
        else:
            names = [r[1] for r in rows if r[1] and r[1].strip()]
            name = next((n for n in names if " " in n.strip()), names[0] if names else "")
            company = next((r[2] for r in rows if r[2]), None)
            title = next((r[3] for r in rows if r[3] and r[2] == company), None) or next(
                (r[3] for r in rows if r[3]), None
            )
            team = int(any(r[4] or r[5] for r in rows))
        if company is None and pid in current:
            company, title = current[pid][0], current[pid][1] or title
        cid = None
        if company:
            norm = norm_company(company)
            if company_ids is not None:
                cid = company_ids.get(norm)
            else:
                row = db.execute("SELECT id FROM companies WHERE norm = ?", (norm,)).fetchone()
                cid = row[0] if row else None
        updates.append((name, company, title, team, pid, cid))
    db.executemany(
        "INSERT INTO people(id, name, company, title, team, company_id) "
        "VALUES (?5, ?1, ?2, ?3, ?4, ?6) ON CONFLICT(id) DO UPDATE SET name = ?1, company = ?2, "
        "title = ?3, team = ?4, company_id = ?6",
        updates,
    )


class _Importer:
    """One import's working state: resolution, de-duplication and batched writes."""

    BATCH = 20000

    def __init__(
        self,
        db: sqlite3.Connection,
        report: ImportReport,
        owner: str | None,
        progress: Callable[[int], None] | None,
    ):
        self.db = db
        self.report = report
        self.owner_spec = owner
        self.owner_person = parse_owner(owner)
        self.progress = progress
        self.mention_ids: dict[tuple, int] = {}
        self.mention_ident: dict[int, str] = {}
        self.mention_rows: list[tuple] = []
        self.inter_rows: list[tuple] = []
        self.pos_rows: list[tuple] = []
        self.new_keys: list[tuple[str, str, int]] = []
        self.touched: set[int] = set()
        self.created: dict[int, list[tuple]] = {}  # new people -> their mention rows, in order
        self.merge_log: list[tuple[int, int, str]] = []
        self.owner_scope = ""
        self._owner_keys: list[tuple[str, str]] | None = None  # set once the owner is resolved
        self.owner_pid: int | None = None
        # Records share Person objects (a connection and its interaction; a message file's
        # participants): the mention of an object already seen is found by identity, without
        # building its signature. Each entry keeps its object alive, so ids are not reused.
        self._by_object: dict[int, tuple[Person, int]] = {}
        # Fingerprints of every stored interaction, once a large import has dropped the
        # interaction indexes (`_go_bulk`); None while the unique index does the checking.
        self._fps: set[bytes] | None = None
        self._iso: dict[datetime, str] = {}

    def run(self, records: Iterable[Record], label: str, fmt: str, digest: str) -> None:
        db = self.db
        cur = db.execute(
            "INSERT INTO imports(label, format, digest, at) VALUES (?, ?, ?, ?)",
            (label, fmt, digest, _now()),
        )
        self.import_id = int(cur.lastrowid)
        next_pid = (db.execute("SELECT max(id) FROM people").fetchone()[0] or 0) + 1
        merged_max = db.execute("SELECT max(max(kept, merged)) FROM merges").fetchone()[0] or 0
        self.resolver = Resolver(
            db.execute("SELECT kind, value, person_id FROM keys"),
            new_id=count(max(next_pid, merged_max + 1)),
            apart=db.execute("SELECT a, b FROM apart"),
        )
        self.next_mention = (db.execute("SELECT max(id) FROM mentions").fetchone()[0] or 0) + 1
        self.interactions_before = db.execute("SELECT max(id) FROM interactions").fetchone()[0] or 0
        self.company_ids: dict[str, int] = dict(db.execute("SELECT norm, id FROM companies"))
        o = self.owner_person
        self.owner_scope = (o.emails[0] if o.emails else o.linkedin_url) or norm_name(o.name)
        if self.owner_spec:
            self._mention(self.owner_person, None, None)

        n = 0
        report = self.report
        for rec in records:
            n += 1
            if isinstance(rec, Interaction):
                self._interaction(rec)
            elif isinstance(rec, Person):
                prov = rec.provenance
                self._mention(rec, prov.line if prov else None, prov.file if prov else None)
            elif isinstance(rec, Skipped):
                report.skipped.append(rec)
            elif isinstance(rec, Position):
                self._position(rec)
            elif isinstance(rec, Company):
                self._company(rec)
            if len(self.inter_rows) >= self.BATCH or len(self.mention_rows) >= self.BATCH:
                self._flush()
            if self.progress and n % 5000 == 0:
                self.progress(n)
        report.records = n
        self._flush(final=True)
        self._finish_merges()
        owner_pid = self.resolver.find(self.owner_pid) if self.owner_pid is not None else None
        db.execute(
            "UPDATE imports SET owner_id = ?, records = ?, skipped = ? WHERE id = ?",
            (owner_pid, n, len(report.skipped), self.import_id),
        )
        db.executemany(
            "INSERT INTO skipped(import_id, file, line, reason) VALUES (?, ?, ?, ?)",
            [(self.import_id, s.file, s.line, s.reason) for s in report.skipped],
        )
        find = self.resolver.find
        roots = {find(p) for p in self.touched}
        older = {find(p) for p in self.touched if p not in self.created}
        known: dict[int, list[tuple]] = {}
        for p, rows in self.created.items():
            r = find(p)
            if r not in older:
                known.setdefault(r, []).extend(rows)
        for rows in known.values():
            rows.sort(key=lambda row: -row[7])  # newest mention first
        _refresh_people(db, roots, self.company_ids, known)
        if self.progress:
            self.progress(n)

    def _as_owner(self, p: Person) -> Person:
        """The export's owner as this row shows them, completed with the import's `--owner`."""
        o = self.owner_person
        return Person(
            name=o.name if o.name not in ("", "me") or not p.name else p.name,
            emails=tuple(dict.fromkeys((*o.emails, *p.emails))),
            linkedin_url=o.linkedin_url or p.linkedin_url,
            phones=p.phones,
            company=p.company,
            title=p.title,
            external_id=p.external_id,
            is_owner=True,
            team=True,
        )

    def _mention(self, p: Person, line: int | None, file: str | None) -> int:
        seen = self._by_object.get(id(p))
        if seen is not None and seen[0] is p:
            return seen[1]
        sig = (p.name, p.emails, p.linkedin_url, p.phones, p.company, p.title, p.external_id,
               p.team, p.is_owner)  # fmt: skip
        mid = self.mention_ids.get(sig)
        if mid is None:
            mid = self._new_mention(p, sig, line, file)
        if len(self._by_object) >= 100_000:  # bounded: one-off objects need not stay alive
            self._by_object.clear()
        self._by_object[id(p)] = (p, mid)
        return mid

    def _new_mention(self, p: Person, sig: tuple, line: int | None, file: str | None) -> int:
        q = self._as_owner(p) if p.is_owner else p
        emails = tuple(e for e in (norm_email(x) for x in q.emails) if e)
        keys = identity_keys(
            name=q.name,
            emails=emails,
            linkedin_url=q.linkedin_url,
            company=q.company,
            external_id=q.external_id,
            team=q.team or q.is_owner,
        )
        nn = norm_name(q.name)
        # a bare name may attach within one named owner's own network, never without an owner
        weak = [("ownername", f"{self.owner_scope}|{nn}")] if nn and self.owner_spec else []
        if q.is_owner:
            if self._owner_keys is not None:
                keys = [*keys, *[k for k in self._owner_keys if k not in keys]]
            elif not keys:
                keys = [("team", "me")]
            weak = []
        match = self.resolver.resolve(keys, weak)
        pid = match.person
        if match.created:
            self.report.people_new += 1
            self.created[pid] = []
        for other, reason in match.merged:
            self.merge_log.append((pid, other, reason))
        self.touched.add(pid)
        mid = self.next_mention
        self.next_mention += 1
        self.mention_ids[sig] = mid
        if q.is_owner:
            ident = f"owner:{(self.owner_spec or 'me').strip().lower()}"
            if self._owner_keys is None:
                self._owner_keys = keys
                self.owner_pid = pid
        elif keys:
            ident = f"{keys[0][0]}:{keys[0][1]}"
        else:
            ident = f"name:{nn}|{norm_company(q.company)}"
        self.mention_ident[mid] = ident
        self.mention_rows.append(
            (mid, pid, self.import_id, line, file, q.name.strip(), "\n".join(emails),
             norm_linkedin_url(q.linkedin_url), "\n".join(q.phones),
             (q.company or "").strip() or None, (q.title or "").strip() or None, q.external_id,
             int(q.team), int(q.is_owner))
        )  # fmt: skip
        self.report.mentions += 1
        rows = self.created.get(pid)
        if rows is not None and not q.is_owner:  # owners may take a company from positions
            rows.append((pid, q.name.strip(), (q.company or "").strip() or None,
                         (q.title or "").strip() or None, int(q.team), 0, self.import_id, mid))  # fmt: skip
        elif rows is not None:
            del self.created[pid]
        self.new_keys.extend([(k, v, pid) for k, v in keys])
        self.new_keys.extend([(k, v, pid) for k, v in weak])
        if q.company:
            self._company_id(q.company)
        return mid

    def _interaction(self, it: Interaction) -> None:
        prov = it.provenance
        line, file = (prov.line, prov.file) if prov else (None, None)
        if not it.a.has_identity() or not it.b.has_identity():
            self.report.skipped.append(
                Skipped(file or self.report.label, line, "interaction without a person")
            )
            return
        a = self._mention(it.a, line, file)
        b = self._mention(it.b, line, file)
        if a == b:
            return
        at = None
        if it.at:
            at = self._iso.get(it.at)
            if at is None:
                at = it.at.isoformat(sep=" ")
                if len(self._iso) < 100_000:  # connection days recur; message times rarely
                    self._iso[it.at] = at
        ia, ib = self.mention_ident[a], self.mention_ident[b]
        if not it.directed and ib < ia:
            ia, ib = ib, ia
        # what `_fp(kind, ia, ib, at, group_size, directed)` gives, without its generic join
        fp = blake2b(f"{it.kind}\x1f{ia}\x1f{ib}\x1f{at}\x1f{it.group_size}\x1f{int(it.directed)}"
                     .encode(), digest_size=12).digest()  # fmt: skip
        self.inter_rows.append(
            (a, b, it.kind, at, int(it.directed), max(2, int(it.group_size)), self.import_id,
             file, line, fp)
        )  # fmt: skip

    def _company_id(self, name: str, **extra: Any) -> int | None:
        norm = norm_company(name)
        if not norm:
            return None
        cid = self.company_ids.get(norm)
        if cid is None:
            cur = self.db.execute(
                "INSERT INTO companies(norm, name, domain, industry, ext_id, import_id, line) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (norm, name.strip(), extra.get("domain"), extra.get("industry"),
                 extra.get("ext_id"), self.import_id, extra.get("line")),
            )  # fmt: skip
            cid = int(cur.lastrowid)
            self.company_ids[norm] = cid
            self.report.companies += 1
        elif extra:
            self.db.execute(
                "UPDATE companies SET domain = coalesce(domain, ?), "
                "industry = coalesce(industry, ?), ext_id = coalesce(ext_id, ?) WHERE id = ?",
                (extra.get("domain"), extra.get("industry"), extra.get("ext_id"), cid),
            )
        return cid

    def _company(self, c: Company) -> None:
        self._company_id(
            c.name,
            domain=c.domain,
            industry=c.industry,
            ext_id=c.external_id,
            line=c.provenance.line if c.provenance else None,
        )

    def _position(self, pos: Position) -> None:
        prov = pos.provenance
        line, file = (prov.line, prov.file) if prov else (None, None)
        cid = self._company_id(pos.company) if pos.company else None
        if cid is None:
            self.report.skipped.append(
                Skipped(file or self.report.label, line, "position without a company")
            )
            return
        mid = self._mention(pos.person, line, file)
        start = pos.start.isoformat() if pos.start else None
        end = pos.end.isoformat() if pos.end else None
        fp = _fp("pos", self.mention_ident[mid], cid, pos.title, start, end)
        current = int(pos.current and pos.end is None)
        self.pos_rows.append(
            (mid, cid, pos.title, start, end, current, self.import_id, line, fp)
        )

    def _flush(self, final: bool = False) -> None:
        """Write the buffered rows. Identity keys are written once, at the end (`final`), so
        that a large import can build their person index once instead of row by row."""
        db = self.db
        if self.mention_rows:
            db.executemany(
                "INSERT INTO mentions(id, person_id, import_id, line, file, name, emails, "
                "linkedin, phones, company, title, ext_id, team, is_owner) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self.mention_rows,
            )
            self.mention_rows = []
        if self.new_keys and final:
            # More new keys than stored ones: the person index is built again afterwards
            # rather than kept up to date (key order is random person order).
            rebuild = len(self.new_keys) >= db.execute("SELECT count(*) FROM keys").fetchone()[0]
            if rebuild:
                if len(self.new_keys) >= self.BATCH:
                    db.execute(_CACHE_LARGE)
                db.execute("DROP INDEX keys_person")
                # staged, then added in key order (SQLite's sorter, cheaper than Python's), so
                # that they append to the key B-tree rather than land on random pages
                db.execute("CREATE TEMP TABLE stage_keys (kind TEXT, value TEXT, person_id INT)")
                db.executemany("INSERT INTO stage_keys VALUES (?, ?, ?)", self.new_keys)
                db.execute(
                    "INSERT OR IGNORE INTO keys(kind, value, person_id) SELECT kind, value, "
                    "person_id FROM stage_keys ORDER BY kind, value, person_id"
                )
                db.execute("DROP TABLE stage_keys")
                db.execute("CREATE INDEX keys_person ON keys(person_id)")
            else:
                db.executemany(
                    "INSERT OR IGNORE INTO keys(kind, value, person_id) VALUES (?, ?, ?)",
                    self.new_keys,
                )
            self.new_keys = []
        if self.inter_rows:
            rows = self.inter_rows
            self.inter_rows = []
            offered = self.report.interactions + self.report.interactions_repeated + len(rows)
            if self._fps is None and offered >= max(self.BATCH, self.interactions_before):
                self._go_bulk()
            fps = self._fps
            if fps is not None:  # the indexes are dropped: the fingerprints are checked here
                new = []
                for row in rows:
                    fp = row[9]
                    if fp not in fps:
                        fps.add(fp)
                        new.append(row)
                db.executemany(
                    "INSERT INTO interactions(a, b, kind, at, directed, group_size, "
                    "import_id, file, line, fp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    new,
                )
                added = len(new)
            else:
                before = db.total_changes
                db.executemany(
                    "INSERT OR IGNORE INTO interactions(a, b, kind, at, directed, group_size, "
                    "import_id, file, line, fp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                added = db.total_changes - before
            self.report.interactions += added
            self.report.interactions_repeated += len(rows) - added
        if final and self._fps is not None:
            for create in _INTERACTION_INDEXES:
                db.execute(create)
            self._fps = None
        if self.pos_rows:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO positions(mention_id, company_id, title, start, end, "
                "current, import_id, line, fp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self.pos_rows,
            )
            self.report.positions += db.total_changes - before
            self.pos_rows = []

    def _go_bulk(self) -> None:
        """Switch to bulk writing of interactions: this import brings at least as many as the
        workspace held (and a batch or more), so the interaction indexes are dropped and built
        again at the end (`_flush`), all inside the import's transaction; meanwhile a set of
        the stored fingerprints does what the unique index did (a row whose fingerprint is
        stored already is not added). The rows stored, their ids and the counts are the same
        either way. The page cache is made larger for the rest of the import (`_CACHE_LARGE`)."""
        self._fps = {bytes(fp) for (fp,) in self.db.execute("SELECT fp FROM interactions")}
        self.db.execute(_CACHE_LARGE)
        for drop in _INTERACTION_INDEXES.values():
            self.db.execute(drop)

    def _finish_merges(self) -> None:
        """Persist the merges resolution decided, in order, each logged with its reason."""
        db = self.db
        # `_apply_merge` reads and deletes people rows; everyone else's row is written whole
        # by `_refresh_people` afterwards
        find = self.resolver.find
        involved = sorted({p for kept, merged, _ in self.merge_log for p in (find(kept), merged)})
        db.executemany("INSERT OR IGNORE INTO people(id) VALUES (?)", [(p,) for p in involved])
        for kept, merged, kind in self.merge_log:
            k = self.resolver.find(kept)
            if k == merged:
                continue
            _apply_merge(db, k, merged, kind, None, self.import_id)
            self.report.merges.append(
                {"kept": pid_str(k), "merged": pid_str(merged), "reason": _REASONS.get(kind, kind)}
            )
