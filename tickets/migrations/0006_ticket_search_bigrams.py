"""The ticket search (`?q=`) through an index on PostgreSQL, for queries of two characters or more.

Users search short Chinese terms (油污, 垃圾). pg_trgm cannot serve them: a LIKE pattern of fewer than
three characters yields no trigram, so its index is read whole. Instead every ticket's searchable text
(number, description, source reference, upper-cased as Django's ``icontains`` compares) is indexed as
the set of its two-character substrings. A query's substring can only be in the text if all of its
character pairs are, so ``search_bigrams(number, description, source_reference) @> search_bigrams(q)``
finds a superset of the matches through the GIN index, and the ``icontains`` beside it
(workflows.filters) keeps exactly the rows it always found. SQLite has neither the function nor the
index and keeps plain ``icontains``.

One self-contained function (no call to another of ours): index expressions are re-evaluated by
pg_restore and autovacuum under an empty search_path, where a nested unqualified call would fail.
The index is built CONCURRENTLY (a province's table keeps taking writes while it builds), hence a
non-atomic migration; ANALYZE then gives the planner statistics on the indexed expression.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION search_bigrams(VARIADIC parts text[]) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  -- The parts joined by a newline: pairs across two columns only add candidates, never lose one.
  u text := upper(array_to_string(parts, E'\n', ''));
  pairs text[] := '{}';
BEGIN
  -- A loop, not generate_series + array_agg: 4x faster per row, which is most of the index build.
  FOR i IN 1 .. char_length(u) - 1 LOOP
    pairs := pairs || substr(u, i, 2);
  END LOOP;
  RETURN pairs;
END
$$
"""

INDEX = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS ticket_search_bigrams_idx ON tickets_ticket "
    "USING gin (search_bigrams(number, description, source_reference))"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    # A failed concurrent build leaves an invalid index behind, which IF NOT EXISTS would keep.
    schema_editor.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE c.relname = 'ticket_search_bigrams_idx' AND NOT i.indisvalid) THEN "
        "DROP INDEX ticket_search_bigrams_idx; END IF; END $$"
    )
    schema_editor.execute(INDEX)
    schema_editor.execute("ANALYZE tickets_ticket")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS ticket_search_bigrams_idx")
    schema_editor.execute("DROP FUNCTION IF EXISTS search_bigrams(VARIADIC text[])")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0005_events_base_manager"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
