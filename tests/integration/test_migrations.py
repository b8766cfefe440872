"""Every migration applied to an EMPTY database, as a fresh install does it."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import uuid

import asyncpg
import pytest

from civic.db import MIGRATION_LOCK_KEY, MIGRATIONS_DIR, _init_connection, migrate, migration_files
from tests.integration.race import Gate, race


@pytest.fixture
async def empty_db(pg_server, admin_url):
    """A brand-new database created the way the app creates its own (UTF-8, C.UTF-8 locale)."""
    name = f"empty_{uuid.uuid4().hex[:10]}"
    if pg_server is not None:
        from civic import embedded_db

        await asyncio.to_thread(embedded_db.ensure_database, pg_server, name)
    else:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(
                f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
        finally:
            await conn.close()
    from urllib.parse import urlparse, urlunparse

    url = urlunparse(urlparse(admin_url)._replace(path=f"/{name}"))
    yield url
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await conn.close()


async def connect(url: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(url)
    await _init_connection(conn)
    return conn


async def test_all_migrations_apply_to_an_empty_database(empty_db):
    files = migration_files()
    assert files, "no migrations found"
    conn = await connect(empty_db)
    try:
        assert await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
        applied = await migrate(conn)
        assert applied == [p.name for p in files]
        rows = await conn.fetch("SELECT version, checksum FROM schema_migrations ORDER BY version")
        assert [r["version"] for r in rows] == [p.stem for p in files]
        for row, path in zip(rows, files, strict=True):
            assert row["checksum"] == hashlib.sha256(path.read_text(encoding="utf-8").encode()).hexdigest()
        tables = {
            r["tablename"]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        assert {"users", "sessions", "api_tokens", "login_failures", "audit_log", "organisations"} <= tables
        # Running it again applies nothing.
        assert await migrate(conn) == []
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations") == len(files)
    finally:
        await conn.close()


async def test_migration_files_are_numbered_and_named():
    files = migration_files()
    numbers = [p.name[:4] for p in files]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    for p in files:
        text = p.read_text(encoding="utf-8")
        assert text.strip(), p.name
        # Transactions are the runner's job: a file that commits on its own breaks "all or nothing".
        assert "COMMIT;" not in text.upper(), p.name


async def test_a_changed_applied_migration_is_refused(empty_db, tmp_path):
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, directory)
    conn = await connect(empty_db)
    try:
        await migrate(conn, directory)
        first = sorted(directory.glob("*.sql"))[0]
        first.write_text(first.read_text(encoding="utf-8") + "\n-- edited after release\n", encoding="utf-8")
        with pytest.raises(RuntimeError, match="changed after it was applied"):
            await migrate(conn, directory)
        # The lock was released: a later run with the original file works.
        shutil.copy(MIGRATIONS_DIR / first.name, first)
        assert await migrate(conn, directory) == []
    finally:
        await conn.close()


async def test_a_failing_migration_leaves_nothing_half_applied(empty_db, tmp_path):
    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "0001_create_ok.sql").write_text("CREATE TABLE ok (id int);")
    (directory / "0002_create_broken.sql").write_text(
        "CREATE TABLE half (id int);\nSELECT no_such_function();"
    )
    conn = await connect(empty_db)
    try:
        with pytest.raises(asyncpg.PostgresError):
            await migrate(conn, directory)
        assert [r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")] == [
            "0001_create_ok"
        ]
        assert await conn.fetchval("SELECT to_regclass('public.ok') IS NOT NULL")
        assert await conn.fetchval("SELECT to_regclass('public.half') IS NULL")
    finally:
        await conn.close()


async def test_badly_named_migration_is_refused(tmp_path):
    (tmp_path / "1_create_x.sql").write_text("SELECT 1;")
    with pytest.raises(RuntimeError, match="NNNN_verb_noun"):
        migration_files(tmp_path)
    (tmp_path / "1_create_x.sql").unlink()
    (tmp_path / "0001_create_a.sql").write_text("SELECT 1;")
    (tmp_path / "0001_create_b.sql").write_text("SELECT 1;")
    with pytest.raises(RuntimeError, match="share a number"):
        migration_files(tmp_path)


async def test_concurrent_migrators_apply_each_file_once(empty_db):
    """Several workers starting at once: the advisory lock serialises them. All three wait for
    it together (race() holds it until they do), so they really did start at once."""
    conns = [await connect(empty_db) for _ in range(3)]
    try:
        results = await race(
            [lambda c=c: migrate(c) for c in conns],
            gate=Gate(empty_db, [], expect=3, advisory_key=MIGRATION_LOCK_KEY),
        )
        applied = [name for result in results for name in result]
        assert sorted(applied) == [p.name for p in migration_files()]
        assert await conns[0].fetchval("SELECT count(*) FROM schema_migrations") == len(migration_files())
    finally:
        for c in conns:
            await c.close()


async def test_thai_trigram_similarity_works_in_the_created_database(empty_db):
    """pg_trgm drops characters the locale does not call letters: under plain C, all of Thai."""
    conn = await connect(empty_db)
    try:
        await migrate(conn)
        assert await conn.fetchval("SELECT datctype FROM pg_database WHERE datname = current_database()") in (
            "C.UTF-8",
            "C.utf8",
        )
        assert await conn.fetchval("SHOW server_encoding") == "UTF8"
        similarity = await conn.fetchval("SELECT similarity('อินเทอร์เน็ต', 'อินเตอร์เน็ต')")
        assert similarity > 0.3, similarity
        # Thai produces trigrams at all (under C it would produce none).
        assert await conn.fetchval("SELECT cardinality(show_trgm('สวัสดี'))") > 0
        assert await conn.fetchval("SELECT 'โรงพยาบาล' % 'โรงพยาบาน'")
    finally:
        await conn.close()


async def test_the_embedded_cluster_default_locale_is_utf8(pg_server, admin_url):
    """A database created without naming a locale inherits the cluster's: it must be UTF-8 too."""
    if pg_server is None:
        pytest.skip("an external TEST_DATABASE_URL server's defaults are not ours to check")
    conn = await asyncpg.connect(admin_url)
    try:
        ctype = await conn.fetchval("SELECT datctype FROM pg_database WHERE datname = 'template1'")
    finally:
        await conn.close()
    assert "utf" in ctype.lower(), ctype
