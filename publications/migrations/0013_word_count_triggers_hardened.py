"""The stored word counts' triggers (``0009``), hardened after a review:

- The writers' lock is taken BEFORE a statement writes its summaries (a statement trigger of
  its own), not after: taken after, a transaction already held the rows it wrote when it
  waited for the lock, and two transactions writing the same summaries in turn could
  deadlock (e.g. a pledge deleted while a publication rewrote it).
- An update that changes a summary's pledge counts the old row out and the new row in
  (the rows were matched by pledge, and such a row was missed).
- ``TRUNCATE`` of the summaries empties the counts (no row trigger fires on a truncate).
PostgreSQL only.
"""

from importlib import import_module

from django.db import migrations

# The counting upsert and the insert and delete sources are 0009's; the update's changes.
M0009 = import_module("publications.migrations.0009_published_word_counts")
TABLE, COUNTS, CHANGED, APPLY = M0009.TABLE, M0009.COUNTS, M0009.CHANGED, M0009.APPLY
SOURCES = {
    **M0009.SOURCES,
    "UPDATE": (
        "SELECT n.term_id, n.stage, n.search_bigrams AS pieces, 1 AS sign FROM new_rows n "
        f"LEFT JOIN old_rows o USING (pledge_id) WHERE o.pledge_id IS NULL OR {CHANGED} "
        "UNION ALL SELECT o.term_id, o.stage, o.search_bigrams, -1 FROM old_rows o "
        f"LEFT JOIN new_rows n USING (pledge_id) WHERE n.pledge_id IS NULL OR {CHANGED}"
    ),
}
BRANCHES = "\n  ELS".join(
    f"IF TG_OP = '{kind}' THEN{APPLY.format(source=source)}" for kind, source in SOURCES.items()
)
# (%% for the driver: the SQL is run with parameters)
FUNCTION = f"""
CREATE OR REPLACE FUNCTION publications_word_counts_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE emptied bigint[]; expected bigint; found bigint;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM {COUNTS};
    RETURN NULL;
  END IF;
  {BRANCHES}
  END IF;
  IF expected <> found THEN  -- a count to lower that is not there: the counts drifted
    RAISE EXCEPTION '{COUNTS}: %% counts to lower, %% found', expected, found;
  END IF;
  IF emptied IS NOT NULL THEN
    DELETE FROM {COUNTS} WHERE id = ANY (emptied);
  END IF;
  RETURN NULL;
END $$
"""
LOCK = f"""
CREATE OR REPLACE FUNCTION publications_word_counts_lock() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- one writer of the summaries at a time, from before its first row: the counts'
  -- upserts of the same words cannot deadlock, nor can rows written in turn
  PERFORM pg_advisory_xact_lock(hashtext('{COUNTS}'));
  RETURN NULL;
END $$
"""


def triggers_harden(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(LOCK)
    schema_editor.execute(
        "CREATE TRIGGER publications_word_counts_lock BEFORE INSERT OR UPDATE OR DELETE "
        f"ON {TABLE} FOR EACH STATEMENT EXECUTE FUNCTION publications_word_counts_lock()"
    )
    schema_editor.execute(
        f"CREATE TRIGGER publications_word_counts_truncate AFTER TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION publications_word_counts_apply()"
    )


def triggers_soften(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS publications_word_counts_lock ON {TABLE}")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS publications_word_counts_truncate ON {TABLE}")
    schema_editor.execute("DROP FUNCTION IF EXISTS publications_word_counts_lock()")
    schema_editor.execute(M0009.FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("publications", "0012_published_summaries_vacuum")]

    operations = [migrations.RunPython(triggers_harden, triggers_soften)]
