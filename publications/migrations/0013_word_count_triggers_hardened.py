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

from django.db import migrations

TABLE = "publications_publishedpledge"
COUNTS = "publications_publishedwordcount"
CHANGED = (
    "(n.term_id, n.stage, n.search_bigrams) IS DISTINCT FROM (o.term_id, o.stage, o.search_bigrams)"
)
# (term, stage, pieces, +1 or -1) of the summaries a statement wrote, per kind of statement
SOURCES = {
    "INSERT": "SELECT term_id, stage, search_bigrams AS pieces, 1 AS sign FROM new_rows",
    "DELETE": "SELECT term_id, stage, search_bigrams AS pieces, -1 AS sign FROM old_rows",
    "UPDATE": (
        "SELECT n.term_id, n.stage, n.search_bigrams AS pieces, 1 AS sign FROM new_rows n "
        f"LEFT JOIN old_rows o USING (pledge_id) WHERE o.pledge_id IS NULL OR {CHANGED} "
        "UNION ALL SELECT o.term_id, o.stage, o.search_bigrams, -1 FROM old_rows o "
        f"LEFT JOIN new_rows n USING (pledge_id) WHERE n.pledge_id IS NULL OR {CHANGED}"
    ),
}
APPLY = f"""
    WITH deltas AS (
      SELECT term_id, stage, word, sum(sign) AS pledges
      FROM ({{source}}) AS changes, unnest(tsvector_to_array(pieces)) AS word
      GROUP BY term_id, stage, word
      HAVING sum(sign) <> 0
    ), raised AS (
      INSERT INTO {COUNTS} (term_id, stage, word, pledges)
      SELECT term_id, stage, word, pledges FROM deltas WHERE pledges > 0
      ON CONFLICT (term_id, word, stage)
      DO UPDATE SET pledges = {COUNTS}.pledges + EXCLUDED.pledges
    ), lowered AS (
      UPDATE {COUNTS} AS counts SET pledges = counts.pledges + deltas.pledges
      FROM deltas
      WHERE deltas.pledges < 0 AND counts.term_id = deltas.term_id
        AND counts.word = deltas.word AND counts.stage = deltas.stage
      RETURNING counts.id, counts.pledges
    )
    SELECT (SELECT count(*) FROM deltas WHERE pledges < 0),
           (SELECT count(*) FROM lowered),
           (SELECT array_agg(id) FROM lowered WHERE pledges = 0)
    INTO expected, found, emptied;"""
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
    from importlib import import_module

    before = import_module("publications.migrations.0009_published_word_counts")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS publications_word_counts_lock ON {TABLE}")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS publications_word_counts_truncate ON {TABLE}")
    schema_editor.execute("DROP FUNCTION IF EXISTS publications_word_counts_lock()")
    schema_editor.execute(before.FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("publications", "0012_published_summaries_vacuum")]

    operations = [migrations.RunPython(triggers_harden, triggers_soften)]
