"""PostgreSQL (tsvector) variant of the Chinese search backend; see ``config.search.backend``.

The index vectors are written as tsvector literals with the positions of the segmented token
sequence, and queries as tsquery text cast as it is: no text-search configuration (stemming,
stop words, PostgreSQL's own parser) comes between the tokens and the index, which is what keeps
the results equal to SQLite's. A term becomes ``'联合' <-> '展业'``, with ``:*`` on the last
token when it may begin a longer one.

PostgreSQL keeps at most 256 positions of a token and no position past 16383 (later ones are
stored as 16383), so in very long texts a phrase found only beyond those limits is missed here
and not on SQLite; single tokens are found anywhere.
"""

import operator
from functools import reduce

from django.contrib.postgres.search import SearchQuery
from django.db import connections
from django.db.models import F, Q, Value
from django.db.models.functions import Cast
from modelsearch.backends.database.postgres.postgres import (
    IndexEntry,
    ObjectIndexer,
    PostgresAutocompleteQueryCompiler,
    PostgresIndex,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
)
from modelsearch.query import And, Boost, Fuzzy, MatchAll, Not, Or, Phrase, PlainText
from modelsearch.utils import get_content_type_pk, get_descendants_content_types_pks

from .backend import SegmentedQueryMixin, Term
from .segmentation import SEPARATOR, index_tokens


def _key_field(model):
    """The field a model's keys are stored as (for a page type: ``Page.id``, its parent link's
    target)."""
    field = model._meta.pk
    while field.is_relation:
        field = field.target_field
    return field


def _on_entries(expression):
    """An expression over the searched model's ``index_entries`` as one over ``IndexEntry``."""
    if isinstance(expression, F):
        return F(expression.name.removeprefix("index_entries__"))
    return expression


def _quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(texts: list[tuple[str, str]]) -> str:
    """A tsvector literal of ``(text, weight)`` pairs: each token at its position with its
    text's weight. Separators leave their positions empty, except the last, which stays so that
    a vector concatenated after this one (``title || body``) does not start next to its end.
    """
    ordered = sorted(texts, key=lambda text_weight: text_weight[1])  # "A" first: extras take it
    weights = [weight for _text, weight in ordered]
    sequence = index_tokens(text for text, _weight in ordered)
    positions: dict[str, list[str]] = {}
    for position, (source, token) in enumerate(sequence, start=1):
        if token != SEPARATOR or position == len(sequence):
            positions.setdefault(token, []).append(f"{position}{weights[source]}")
    return " ".join(f"{_quote(token)}:{','.join(at)}" for token, at in positions.items())


class SegmentedObjectIndexer(ObjectIndexer):
    def as_vector(self, texts, for_autocomplete=False):
        return tsvector_literal([(text, weight) for text, weight in texts if text.strip()])


class SegmentedPostgresIndex(PostgresIndex):
    def add_items(self, model, objs):
        """modelsearch's ``add_items`` (one upsert for all objects), with the segmenting indexer."""
        if not model.get_search_fields():
            return
        indexers = [SegmentedObjectIndexer(obj, self.backend) for obj in objs]
        if not indexers:
            return
        content_type_pk = get_content_type_pk(model)
        table = self.write_connection.ops.quote_name(IndexEntry._meta.db_table)
        row = "(%s, %s, %s::tsvector, %s::tsvector, %s::tsvector, 1.0, %s, %s)"
        params = [
            value
            for indexer in indexers
            for value in (
                content_type_pk,
                indexer.id,
                indexer.title,
                indexer.autocomplete,
                indexer.body,
                indexer.title_text,
                indexer.body_text,
            )
        ]
        with self.write_connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (content_type_id, object_id, title, autocomplete, body, "
                f"title_norm, title_text, body_text) VALUES {', '.join([row] * len(indexers))} "
                "ON CONFLICT (content_type_id, object_id) DO UPDATE SET "
                "title = EXCLUDED.title, title_norm = 1.0, autocomplete = EXCLUDED.autocomplete, "
                "body = EXCLUDED.body, title_text = EXCLUDED.title_text, "
                "body_text = EXCLUDED.body_text",
                params,
            )
        self._refresh_title_norms()


class TSQuery(SearchQuery):
    """A tsquery written out in full and cast as it is: its lexemes are the index's tokens."""

    template = "%(expressions)s::tsquery"

    def __init__(self, text: str):
        super().__init__(Value(text))


class SegmentedPostgresQueryMixin(SegmentedQueryMixin):
    """Query compilation for the segmented index.

    modelsearch filters on ``(title || body) @@ query``, an expression no index covers, so every
    entry is read, concatenated and matched. Here each term is matched on each column
    (``title @@ term OR body @@ term``), combined as the query combines its terms: the same rows,
    as a term never spans two columns (a phrase cannot cross the separator kept at the end of each
    vector), and the GIN indexes on ``title`` and ``body`` can answer it. Ranking is modelsearch's.
    """

    def build_tsquery_content(self, query, config=None, invert=False):
        text = self.tsquery_text(query)
        return TSQuery(f"!({text})" if invert else text)

    @staticmethod
    def term_text(term: Term) -> str:
        lexemes = [_quote(token) for token in term.tokens]
        if term.prefix:
            lexemes[-1] += ":*"
        return "(" + " <-> ".join(lexemes) + ")"

    def tsquery_text(self, query) -> str:
        if isinstance(query, (PlainText, Phrase)):
            connector = " | " if getattr(query, "operator", "and") == "or" else " & "
            return "(" + connector.join(self.term_text(term) for term in self.terms(query)) + ")"
        if isinstance(query, (And, Or)):
            connector = " & " if isinstance(query, And) else " | "
            return "(" + connector.join(self.tsquery_text(sub) for sub in query.subqueries) + ")"
        if isinstance(query, Not):
            return f"!{self.tsquery_text(query.subquery)}"
        if isinstance(query, Boost):
            return self.tsquery_text(query.subquery)
        raise NotImplementedError(
            f"`{query.__class__.__name__}` is not supported by the PostgreSQL search backend."
        )

    def match_condition(self, query, columns: list[str]) -> Q:
        """The filter for ``query`` on the annotated vector ``columns``, term by term."""
        if isinstance(query, (PlainText, Phrase)):
            combine = operator.or_ if getattr(query, "operator", "and") == "or" else operator.and_
            return reduce(
                combine,
                (
                    reduce(
                        operator.or_,
                        (Q(**{column: TSQuery(self.term_text(term))}) for column in columns),
                    )
                    for term in self.terms(query)
                ),
            )
        if isinstance(query, (And, Or)):
            combine = operator.and_ if isinstance(query, And) else operator.or_
            return reduce(combine, (self.match_condition(sub, columns) for sub in query.subqueries))
        if isinstance(query, Not):
            return ~self.match_condition(query.subquery, columns)
        if isinstance(query, Boost):
            return self.match_condition(query.subquery, columns)
        raise NotImplementedError(
            f"`{query.__class__.__name__}` is not supported by the PostgreSQL search backend."
        )

    def search(self, config, start, stop, score_field=None, backend=None):
        if isinstance(self.query, (MatchAll, Fuzzy)) or (
            isinstance(self.query, Not) and isinstance(self.query.subquery, MatchAll)
        ):
            return super().search(config, start, stop, score_field=score_field, backend=backend)
        vectors = self.get_search_vectors(self.build_tsquery(self.query, config=config))
        columns = {f"_vector_{n}_": vector for n, (vector, _boost) in enumerate(vectors)}
        queryset = self.queryset.alias(**columns).filter(
            self.match_condition(self.query, list(columns))
        )
        return self._apply_ordering_and_scoring(
            queryset, self._build_rank_expression(vectors, config), start, stop, score_field
        )

    def ranked_pks(self, backend) -> list:
        """The keys of every match, best first, as ``search()`` orders them; the index first.

        ``search()`` joins the searched table to its index entries and leaves the planner to
        start from either side. From the searched rows it matches and ranks every row through the
        entries' key index, and when it hashes the entries the hash carries their vectors (and
        spills to disk). Here the matching entries and their ranks come first, in a materialized
        CTE that only keys and ranks leave, and the searched queryset's keys then filter them.
        """
        if (
            not self.order_by_relevance
            or self.queryset.query.is_sliced
            or isinstance(self.query, (MatchAll, Fuzzy))
            or (isinstance(self.query, Not) and isinstance(self.query.subquery, MatchAll))
        ):
            results = self.search(self.get_config(backend), None, None, backend=backend)
            return list(results.values_list("pk", flat=True))
        model, using = self.queryset.model, self.queryset.db
        vectors = [
            (_on_entries(vector), _on_entries(boost))
            for vector, boost in self.get_search_vectors(None)
        ]
        columns = {f"_vector_{n}_": vector for n, (vector, _boost) in enumerate(vectors)}
        entries = (
            IndexEntry.objects.using(using)
            .filter(content_type_id__in=get_descendants_content_types_pks(model))
            .alias(**columns)
            .filter(self.match_condition(self.query, list(columns)))
            .annotate(
                _key=Cast("object_id", output_field=_key_field(model)),
                _rank=self._build_rank_expression(vectors, self.get_config(backend)),
            )
            .order_by()
            .values_list("_key", "_rank")
        )
        matches, match_params = entries.query.get_compiler(using).as_sql()
        searched = self.queryset.order_by().values("pk")
        keys, key_params = searched.query.get_compiler(using).as_sql()
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"WITH matches (pk, rank) AS MATERIALIZED ({matches}) SELECT pk FROM matches "
                f"WHERE pk IN ({keys}) ORDER BY rank DESC, pk DESC",
                (*match_params, *key_params),
            )
            return [pk for (pk,) in cursor.fetchall()]

    def get_fields_vectors(self, search_query):
        vectors = {
            "title": (F("index_entries__title"), F("index_entries__title_norm")),
            "body": (F("index_entries__body"), 1.0),
            "autocomplete": (F("index_entries__autocomplete"), 1.0),
        }
        return [vectors[column] for column in self.index_columns()]


class ChinesePostgresSearchQueryCompiler(SegmentedPostgresQueryMixin, PostgresSearchQueryCompiler):
    pass


class ChinesePostgresAutocompleteQueryCompiler(
    SegmentedPostgresQueryMixin, PostgresAutocompleteQueryCompiler
):
    pass


class ChinesePostgresSearchBackend(PostgresSearchBackend):
    query_compiler_class = ChinesePostgresSearchQueryCompiler
    autocomplete_query_compiler_class = ChinesePostgresAutocompleteQueryCompiler
    index_class = SegmentedPostgresIndex
