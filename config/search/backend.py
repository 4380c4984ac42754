"""The search backend: modelsearch's database backend with Chinese word segmentation.

``WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "config.search.backend"}}``. Everything that
searches goes through it: ``Page.objects.search()`` / ``.autocomplete()``, any indexed queryset's
``.search()``, and the Wagtail admin's own searches (pages, documents, images, snippets).

``SearchBackend`` picks the SQLite (FTS5) or the PostgreSQL (tsvector) variant by the database in
use; each module imports modelsearch's backend for its own database only, as modelsearch's models
differ by database. Both index the same tokens (``segmentation.index_tokens``) and build the same
queries from the same query tokens, so they return the same results for the same data:

- a query term (the query split at spaces) whose text has several tokens is a phrase, its tokens
  next to each other in the indexed text, in order;
- a term whose last token is Chinese also matches where that token begins a longer one
  (2026年 finds 2026年度), in search as well as autocomplete: for Chinese that is still the text
  as typed; other last tokens are prefixes in autocomplete only, as in Wagtail;
- a term without letters, digits or characters (only punctuation) is left out, and a query of
  nothing else matches nothing;
- ``fields=["title"]`` searches the title, any other field names search the body (all the other
  search fields together): the index keeps those two, not one column per field.

``ranked_pks()`` is a search for a results page: every match's key, best first, in one query.
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from modelsearch.backends.base import EmptySearchResults
from modelsearch.index import AutocompleteField
from modelsearch.query import MATCH_NONE, And, Boost, Not, Or, Phrase, PlainText

from .segmentation import is_han, query_tokens


def SearchBackend(params):
    """The backend for the database in use (modelsearch looks this name up in the module)."""
    if connection.vendor == "postgresql":
        from .postgres import ChinesePostgresSearchBackend

        return ChinesePostgresSearchBackend(params)
    if connection.vendor == "sqlite":
        from .sqlite import ChineseSQLiteSearchBackend

        return ChineseSQLiteSearchBackend(params)
    raise ImproperlyConfigured(
        f"config.search.backend supports SQLite and PostgreSQL, not {connection.vendor}."
    )


def ranked_pks(queryset, query, **kwargs) -> list:
    """The primary keys of the rows of ``queryset`` that match ``query``, best first, from one
    query; ``kwargs`` as for ``search()`` (``operator``, ``fields`` …).

    Search results cost a query for ``count()`` and another for a slice, and each one matches and
    ranks every row again. A page of results needs both: here their number is the count, and a
    slice of them with ``in_bulk()`` is a page.
    """
    from wagtail.search.backends import get_search_backend

    results = get_search_backend().search(query, queryset, **kwargs)
    if isinstance(results, EmptySearchResults):
        return []
    return results.query_compiler.ranked_pks(results.backend)


@dataclass(frozen=True)
class Term:
    """One term of a query: its tokens, and whether the last one may begin a longer token."""

    tokens: list[str]
    prefix: bool


class SegmentedQueryMixin:
    """Query preparation shared by the SQLite and PostgreSQL query compilers.

    In ``__init__`` the query tree loses the terms with no tokens (and the combinations left
    empty); if nothing is left it becomes ``MATCH_NONE``, which both databases' ``search()``
    answer with an empty queryset. The compilers then turn each ``PlainText`` and ``Phrase`` into
    ``Term`` objects with ``terms()``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        prepared = self._without_empty_terms(self.query)
        self.query = MATCH_NONE if prepared is None else prepared

    def _without_empty_terms(self, query):
        if isinstance(query, PlainText):
            kept = [term for term in query.query_string.split() if query_tokens(term)]
            if not kept:
                return None
            return PlainText(" ".join(kept), operator=query.operator, boost=query.boost)
        if isinstance(query, Phrase):
            return query if query_tokens(query.query_string) else None
        if isinstance(query, (And, Or)):
            kept = [
                sub
                for sub in (self._without_empty_terms(sub) for sub in query.subqueries)
                if sub is not None
            ]
            return type(query)(kept) if kept else None
        if isinstance(query, Not):
            subquery = self._without_empty_terms(query.subquery)
            return None if subquery is None else Not(subquery)
        if isinstance(query, Boost):
            subquery = self._without_empty_terms(query.subquery)
            return None if subquery is None else Boost(subquery, query.boost)
        return query

    def terms(self, query) -> list[Term]:
        """The terms of a ``PlainText`` (one per space-separated word) or a ``Phrase`` (one)."""
        texts = [query.query_string] if isinstance(query, Phrase) else query.query_string.split()
        terms = []
        for position, text in enumerate(texts, start=1):
            tokens = query_tokens(text)
            last_typed = self.LAST_TERM_IS_PREFIX and position == len(texts)
            terms.append(Term(tokens, prefix=last_typed or is_han(tokens[-1])))
        return terms

    def ranked_pks(self, backend) -> list:
        """The keys of every match, best first (``ranked_pks()``): the search's own queryset."""
        results = self.search(self.get_config(backend), None, None)
        return list(results.values_list("pk", flat=True))

    def index_columns(self) -> list[str]:
        """The index columns that ``fields`` (model field names) stand for."""
        if issubclass(self.TARGET_SEARCH_FIELD_TYPE, AutocompleteField):
            return ["autocomplete"]
        columns = ["title" if field == "title" else "body" for field in self.fields]
        return list(dict.fromkeys(columns))
