"""SQLite (FTS5) variant of the Chinese search backend; see ``config.search.backend``.

The index entry's text columns hold the segmented token text, which the FTS5 table (filled by
Wagtail's triggers, ``unicode61`` tokenizer) indexes token by token. A term becomes an FTS5 phrase
of its tokens, ``"联合 展业"``, with ``*`` after it when its last token may begin a longer one.
"""

import operator
from functools import reduce

from django.utils.functional import cached_property
from modelsearch.backends.database.sqlite.query import Lexeme, SearchQueryExpression
from modelsearch.backends.database.sqlite.sqlite import (
    IndexEntry,
    ObjectIndexer,
    SQLiteAutocompleteQueryCompiler,
    SQLiteIndex,
    SQLiteSearchBackend,
    SQLiteSearchQueryCompiler,
)
from modelsearch.index import AutocompleteField, SearchField
from modelsearch.query import Phrase, PlainText
from modelsearch.utils import get_content_type_pk

from .backend import SegmentedQueryMixin
from .segmentation import index_tokens


class SegmentedObjectIndexer(ObjectIndexer):
    """The title, body and autocomplete columns as segmented token text."""

    def _token_text(self, wanted) -> str:
        texts = [
            value
            for field in self.search_fields
            for current_field, value in self.prepare_field(self.obj, field)
            if wanted(current_field)
        ]
        return " ".join(token for _source, token in index_tokens(texts))

    @cached_property
    def title(self):
        return self._token_text(
            lambda field: isinstance(field, SearchField) and field.field_name == "title"
        )

    @cached_property
    def body(self):
        return self._token_text(
            lambda field: isinstance(field, SearchField) and field.field_name != "title"
        )

    @cached_property
    def autocomplete(self):
        return self._token_text(lambda field: isinstance(field, AutocompleteField))


class SegmentedSQLiteIndex(SQLiteIndex):
    def add_items(self, model, objs):
        """modelsearch's ``add_items``, with the segmenting indexer."""
        if not model.get_search_fields():
            return
        indexers = [SegmentedObjectIndexer(obj, self.backend) for obj in objs]
        if not indexers:
            return
        content_type_pk = get_content_type_pk(model)
        values = {
            indexer.id: {
                "title": indexer.title,
                "autocomplete": indexer.autocomplete,
                "body": indexer.body,
            }
            for indexer in indexers
        }
        entries = self.entries.filter(content_type_id=content_type_pk)
        existing = set(
            entries.filter(object_id__in=list(values)).values_list("object_id", flat=True)
        )
        for object_id in existing:
            entries.filter(object_id=object_id).update(**values[object_id])
        self.entries.bulk_create(
            [
                IndexEntry(content_type_id=content_type_pk, object_id=object_id, **columns)
                for object_id, columns in values.items()
                if object_id not in existing
            ]
        )
        self._refresh_title_norms()


class SegmentedSQLiteQueryMixin(SegmentedQueryMixin):
    def build_search_query_content(self, query, config=None):
        if isinstance(query, (PlainText, Phrase)):
            lexemes = [
                Lexeme(" ".join(term.tokens), prefix=term.prefix) for term in self.terms(query)
            ]
            combine = operator.or_ if getattr(query, "operator", "and") == "or" else operator.and_
            return SearchQueryExpression(reduce(combine, lexemes))
        return super().build_search_query_content(query, config=config)

    def search(self, config, start, stop, score_field=None):
        if self.fields is None:
            return super().search(config, start, stop, score_field=score_field)
        # modelsearch matches ``fields`` as FTS5 column names: put the index columns in their
        # place for this call (the queryset it returns has the match expression built already).
        requested, self.fields = self.fields, self.index_columns()
        try:
            return super().search(config, start, stop, score_field=score_field)
        finally:
            self.fields = requested


class ChineseSQLiteSearchQueryCompiler(SegmentedSQLiteQueryMixin, SQLiteSearchQueryCompiler):
    pass


class ChineseSQLiteAutocompleteQueryCompiler(
    SegmentedSQLiteQueryMixin, SQLiteAutocompleteQueryCompiler
):
    pass


class ChineseSQLiteSearchBackend(SQLiteSearchBackend):
    query_compiler_class = ChineseSQLiteSearchQueryCompiler
    autocomplete_query_compiler_class = ChineseSQLiteAutocompleteQueryCompiler
    index_class = SegmentedSQLiteIndex
