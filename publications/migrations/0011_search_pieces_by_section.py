"""The search's two-character pieces say which section of the text they first occur in.

``search_bigrams`` held each two-character piece of a published summary's search text
(``paju_bigrams``). It now holds each piece tagged with the section where it first occurs
(``paju_section_pieces``: a 0 code and titles, b target, c the card's own texts, d the
rest; the sections end at ``pledges.models.SEARCH_SECTION_MARKS``): 센터 in a title is
``a센터``. A word of two Hangul syllables is found with ``a센터 | b센터 | c센터 | d센터``
(the same summaries as before), and the summaries where it ranks k (its first section)
with one tag alone, from the index: a page of a common word's matches is read section by
section in code order, without ranking every match (``portal.selectors``). The stored word
counts (``0009``) count the tagged pieces, so they count each word per section too; they
are rebuilt here. The column is replaced (the table is rewritten; ``VACUUM`` follows in
``0012``). PostgreSQL only.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION paju_section_pieces(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(chr(96 + section::int) || piece, ' '), '')
  FROM (
    SELECT DISTINCT ON (piece) substr(run, i, 2) AS piece, section
    FROM unnest(regexp_split_to_array(t, '[\x1c-\x1e]')) WITH ORDINALITY AS s(part, section),
         unnest(regexp_split_to_array(part, '[[:space:]!-/:-@\[-`{-~]+')) AS run,
         generate_series(1, length(run) - 1) AS i
    ORDER BY piece, section
  ) AS pieces
$$
"""
TABLE = "publications_publishedpledge"
INDEX = "publications_pub_search_bigrams"
COUNTS = "publications_publishedwordcount"


def _pieces_column(schema_editor, function: str) -> None:
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_bigrams")
    schema_editor.execute(
        f"ALTER TABLE {TABLE} ADD COLUMN search_bigrams tsvector GENERATED ALWAYS AS "
        f"(to_tsvector('simple'::regconfig, {function}(search_text))) STORED"
    )
    schema_editor.execute(f'CREATE INDEX "{INDEX}" ON {TABLE} USING gin (search_bigrams)')
    schema_editor.execute(f"DELETE FROM {COUNTS}")  # the column's rewrite fires no trigger
    schema_editor.execute(
        f"INSERT INTO {COUNTS} (term_id, stage, word, pledges) "
        f"SELECT term_id, stage, word, count(*) FROM {TABLE}, "
        "unnest(tsvector_to_array(search_bigrams)) AS word GROUP BY term_id, stage, word"
    )
    schema_editor.execute(f"ANALYZE {TABLE}")


def pieces_tagged(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    _pieces_column(schema_editor, "paju_section_pieces")


def pieces_untagged(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _pieces_column(schema_editor, "paju_bigrams")
    schema_editor.execute("DROP FUNCTION IF EXISTS paju_section_pieces(text)")


class Migration(migrations.Migration):
    dependencies = [("publications", "0010_search_text_sections")]

    operations = [migrations.RunPython(pieces_tagged, pieces_untagged)]
