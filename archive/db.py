"""Opening an archive: a DuckDB file whose schema is brought up to date on open.

Migrations are the numbered `.sql` files in `archive/migrations/`, applied in order, each
inside its own transaction together with its row in `schema_migrations`, so a killed process
leaves the schema before or after a migration, never half-way. The state and category
vocabularies are filled into the CHECK constraints from `parsers/`, their one definition.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from parsers import RENDERINGS
from parsers.record import CATEGORIES
from parsers.states import STATES

DEFAULT_DB = Path("data") / "archive.duckdb"
_MIGRATION_RE = re.compile(r"^(\d{3})_(\w+)\.sql$")


class ArchiveBusy(duckdb.IOException):
    """Another process has the archive open: DuckDB admits one writing process, or any
    number of reading ones, never both. Worth trying again later."""


class ArchiveUnusable(duckdb.IOException):
    """The file cannot be opened as an archive at all (not a DuckDB database, damaged,
    a directory, unreadable). Trying again will not help."""


def _open(target: Path, **kwargs: Any) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, its refusals told apart: only DuckDB's own file lock means busy."""
    try:
        return duckdb.connect(str(target), **kwargs)
    except duckdb.IOException as exc:
        detail = str(exc).splitlines()[0].removeprefix("IO Error: ")
        if "Could not set lock" in detail:
            # a writer is refused by any reader (a notebook, `notices sql`); a reader only
            # by a writer (a crawl)
            who = "a crawl?" if kwargs.get("read_only") else "a notebook or sql session?"
            raise ArchiveBusy(
                f"archive {target} is open in another process ({who}): {detail}"
            ) from exc
        if "not a valid DuckDB database file" in detail:
            why = f"{target} is not a valid archive (not a DuckDB database file, or damaged)"
        else:
            why = f"cannot open {target} as an archive: {detail}"
        raise ArchiveUnusable(why) from exc


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back after an error, keeping that error: a commit that failed (disk full) has
    already rolled back, and a second rollback's "no transaction is active" would replace
    the reason with noise."""
    with contextlib.suppress(duckdb.TransactionException):
        con.rollback()


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN … COMMIT, rolled back on any error (the error kept, see `rollback`)."""
    con.begin()
    try:
        yield
        con.commit()
    except BaseException:
        rollback(con)
        raise


def default_path() -> Path:
    """`NOTICES_DB` if set, else data/archive.duckdb."""
    return Path(os.environ.get("NOTICES_DB") or DEFAULT_DB)


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, SQL) for every migration shipped with the package, in order."""
    found = []
    for entry in resources.files("archive.migrations").iterdir():
        m = _MIGRATION_RE.match(entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


def _vocabulary(sql: str) -> str:
    quote = lambda words: ", ".join(f"'{w}'" for w in words)  # noqa: E731
    open_states = [state for state, is_open in STATES.items() if is_open]
    return (
        sql.replace("{{STATES}}", quote(STATES))
        .replace("{{OPEN_STATES}}", quote(open_states))
        .replace("{{CATEGORIES}}", quote(CATEGORIES))
    )


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations this archive lacks; return their names."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for number, name, sql in migrations():
        if number in done:
            continue
        con.begin()
        try:
            con.execute(_vocabulary(sql))
            con.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [number, name]
            )
            con.commit()
        except BaseException:
            rollback(con)
            raise
        applied.append(f"{number:03d}_{name}")
    return applied


def views() -> dict[str, str]:
    """View name -> SQL, one view per file in `archive/views/`, named after the view."""
    return {
        entry.name.removesuffix(".sql"): entry.read_text(encoding="utf-8")
        for entry in resources.files("archive.views").iterdir()
        if entry.name.endswith(".sql")
    }


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create every view, staging first; a view whose inputs do not exist yet waits for
    the next round. Views are code, so every writable open brings them up to date. Each
    CREATE OR REPLACE is atomic on its own (one failing statement inside a transaction
    would abort the rest, and the rounds rely on failing)."""
    pending = views()
    shipped = set(pending)
    for (name,) in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'"
    ).fetchall():
        if name not in shipped:  # a view an older release shipped and this one does not
            con.execute(f'DROP VIEW IF EXISTS "{name}"')
    while pending:
        errors: dict[str, Exception] = {}
        for name in sorted(pending, key=lambda n: (not n.startswith("stg_"), n)):
            try:
                con.execute(pending[name])
            except duckdb.CatalogException as exc:  # an input view is not there yet
                errors[name] = exc
        if len(errors) == len(pending):
            raise RuntimeError(f"views that cannot be created: {errors}")
        pending = {name: pending[name] for name in errors}


# Analyst-facing connections: read-only, no file system, no network, no extensions, and
# no way for a query to change that (lock_configuration), so `notices sql` can read the
# archive and nothing else.
LOCKED_DOWN = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
}


def connect(
    path: str | Path | None = None, *, read_only: bool = False, allow_files: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open (creating and migrating when writable) the archive at ``path``.

    Read-only connections are locked down unless ``allow_files`` (the export command, which
    writes files it names itself, not files a query names). A file DuckDB will not open
    raises `ArchiveBusy` (held by another process) or `ArchiveUnusable` (anything else)."""
    target = Path(path) if path is not None else default_path()
    if read_only:
        if not target.exists():
            raise FileNotFoundError(f"no archive at {target}")
        config = {} if allow_files else LOCKED_DOWN
        con = _open(target, read_only=True, config=config)
        _check_current(con, target)
        # (a second connection in one process shares the first one's settings)
        if con.execute("SELECT current_setting('TimeZone')").fetchone()[0] != "UTC":
            con.execute("SET TimeZone = 'UTC'")  # months and quarters bucket the same everywhere
        if (
            not allow_files
            and not con.execute("SELECT current_setting('lock_configuration')").fetchone()[0]
        ):
            con.execute("SET lock_configuration = true")  # and no query can undo any of it
        return con
    target.parent.mkdir(parents=True, exist_ok=True)
    con, _, _ = open_upgraded(target)
    return con


def open_upgraded(target: Path) -> tuple[duckdb.DuckDBPyConnection, list[str], bool]:
    """A writable connection to the archive at ``target``, brought up to date (`upgrade`),
    with the migrations applied and whether its notices were rebuilt."""
    con = _open(target)
    if _foreign(con):
        con.close()
        raise ArchiveUnusable(_FOREIGN.format(target=target))
    con.execute("SET TimeZone = 'UTC'")  # timestamps print and compare in UTC
    try:
        applied, rebuilt = upgrade(con)
    except BaseException:
        con.close()
        raise
    return con, applied, rebuilt


_FOREIGN = (
    "{target} is a DuckDB database but no archive (tables of its own, no schema_migrations):"
    " not touched"
)


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
            " AND database_name = current_database()"
        ).fetchall()
    }


def _foreign(con: duckdb.DuckDBPyConnection) -> bool:
    """A DuckDB file with tables but none of an archive's: someone else's database, which
    opening it as an archive would fill with ours."""
    tables = _tables(con)
    return bool(tables) and "schema_migrations" not in tables


def upgrade(con: duckdb.DuckDBPyConnection) -> tuple[list[str], bool]:
    """What every writable open does: the migrations this archive lacks, the views and
    macro as this release defines them, and its notices derived as this release derives
    them. Returns the migrations applied and whether the notices were rebuilt."""
    have, meta = _recorded(con)
    path = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()[0]
    newer = _newer(have, meta, Path(path or "the archive"))
    if newer:  # never rewritten by an older release: its rows, views and schema stay
        raise ArchiveUnusable(newer)
    applied = migrate(con)
    create_rendering(con)
    create_views(con)
    digest = views_digest()
    if con.execute("SELECT value FROM archive_meta WHERE name = 'views'").fetchone() != (digest,):
        con.execute("INSERT OR REPLACE INTO archive_meta VALUES ('views', ?)", [digest])
    return applied, refresh_notices(con)


def views_digest() -> str:
    """A digest of the views and the rendering macro this release defines."""
    text = "\0".join(f"{name}\0{sql}" for name, sql in sorted(views().items()))
    macro = sql_file("rendering")
    extra = repr(sorted(RENDERINGS.items()))
    return hashlib.sha256(f"{text}\0{macro}\0{extra}".encode()).hexdigest()[:16]


class ArchiveOutdated(ArchiveUnusable):
    """An archive an older release wrote, not yet brought up to date: a read-only
    connection cannot migrate it, and its analysis would be wrong or missing."""


def _recorded(con: duckdb.DuckDBPyConnection) -> tuple[int, dict[str, str]]:
    """The archive's schema version (0: none) and its `archive_meta` rows."""
    tables = _tables(con)
    have = 0
    if "schema_migrations" in tables:
        have = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] or 0
    meta: dict[str, str] = {}
    if "archive_meta" in tables:
        meta = dict(con.execute("SELECT name, value FROM archive_meta").fetchall())
    return have, meta


def _check_current(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    latest = migrations()[-1][0]
    have, meta = _recorded(con)
    if not have:
        con.close()
        raise ArchiveUnusable(_FOREIGN.format(target=target))
    newer = _newer(have, meta, target)
    if newer:
        con.close()
        raise ArchiveUnusable(newer)
    if have < latest:
        why = f"schema {have:03d}, this release needs {latest:03d}"
    elif _derivation(meta) < DERIVATION:
        why = f"derivation {meta.get('derivation', 0)}, this release's is {DERIVATION}"
    elif meta.get("notices_derivation") != notices_derivation():
        why = "its notices were derived by an older release"
    elif meta.get("views") != views_digest():
        why = "its views are an older release's"
    else:
        return
    con.close()
    raise ArchiveOutdated(
        f"archive {target} was written by an older release ({why}): run `notices migrate`"
        " (or any crawl) to bring it up to date"
    )


# What this release derives from the history: the `notices` rows (rebuild_notices.sql,
# new_notices.sql, the renderings) and the views. Bump it with any change to what they give:
# archives record it, a release never rewrites one a newer release has written, and
# tests/archive/test_derivation.py holds the files' digests to it.
# 2: stated_final_at; 3: coverage gaps by month spanned; 4: excerpts as renderings (undone:
# it hid state changes on one listing); 5-8: an excerpt and its fuller text are no revision;
# 9: a crawl's bracket takes every sighting that agrees with its newest version
DERIVATION = 9


def _newer(have: int, meta: dict[str, str], target: Path) -> str | None:
    """Why the archive is a newer release's (that this one must not write, nor read as its
    own), or None."""
    latest = migrations()[-1][0]
    if have > latest:
        return f"archive {target} has schema {have:03d}, newer than this release's {latest:03d}"
    if _derivation(meta) > DERIVATION:
        return (
            f"archive {target} was written by a newer release (derivation"
            f" {meta['derivation']!r}, this release's is {DERIVATION}): use that release"
        )
    return None


def _derivation(meta: dict[str, str]) -> float:
    """The archive's derivation number; one this release cannot read is taken for a newer
    release's (never rewritten), none at all for an older one's."""
    try:
        return int(meta.get("derivation", "0"))
    except ValueError:
        return float("inf")


def sql_file(name: str) -> str:
    """The SQL of `archive/sql/<name>.sql`."""
    return resources.files("archive.sql").joinpath(f"{name}.sql").read_text(encoding="utf-8")


def notices_derivation() -> str:
    """A digest of what derives the `notices` rows: its SQL and the renderings."""
    sql = "\0".join(sql_file(name) for name in ("rebuild_notices", "new_notices"))
    renderings = repr(sorted(RENDERINGS.items()))
    return hashlib.sha256(f"{sql}\0{renderings}".encode()).hexdigest()[:16]


def refresh_notices(con: duckdb.DuckDBPyConnection) -> bool:
    """Rebuild every `notices` row when they were derived by other code (an older release,
    or one from before a migration added derived columns, which start NULL), in one
    transaction. Returns whether it rebuilt anything."""
    from archive.ingest import rebuild_notices  # ingest builds on this module

    digest = notices_derivation()
    meta = dict(con.execute("SELECT name, value FROM archive_meta").fetchall())
    if meta.get("notices_derivation") == digest and meta.get("derivation") == str(DERIVATION):
        return False
    con.begin()
    try:
        rebuilt = bool(con.execute("SELECT count(*) FROM notices").fetchone()[0])
        if rebuilt:
            rebuild_notices(con, "SELECT DISTINCT notice_key FROM notice_versions")
            # what each version changed, and so its appeared/changed events, by this
            # release's rule (vanishing is the crawls' and stays)
            con.execute(
                "CREATE OR REPLACE TEMP TABLE stage_new_keys AS"
                " SELECT notice_key, version FROM notice_versions"
            )
            con.execute("UPDATE notice_versions SET changed = NULL")  # first ones stay so
            con.execute(sql_file("version_changes"))
            con.execute(
                "CREATE OR REPLACE TEMP TABLE earlier AS"
                " SELECT DISTINCT notice_key FROM notice_versions"
            )
            con.execute("DELETE FROM notice_events WHERE event IN ('appeared', 'changed')")
            con.execute(sql_file("version_events"))
        con.execute(
            "INSERT OR REPLACE INTO archive_meta VALUES ('notices_derivation', ?),"
            " ('derivation', ?)",
            [digest, str(DERIVATION)],
        )
        con.commit()
    except BaseException:
        rollback(con)
        raise
    return rebuilt


def create_rendering(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the rendering(layout) macro from the parsers' registry: code, like the
    views, so every writable open brings it up to date."""
    families: dict[str, list[str]] = {}
    for layout, family in sorted(RENDERINGS.items()):
        families.setdefault(family, []).append(layout)
    cases = " ".join(
        f"WHEN layout IN ({', '.join(repr(x) for x in layouts)}) THEN '{family}'"
        for family, layouts in families.items()
    )
    con.execute(sql_file("rendering").replace("{{RENDERINGS}}", cases or "WHEN FALSE THEN NULL"))
