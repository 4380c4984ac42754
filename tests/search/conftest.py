import itertools

import pytest
from wagtail.models import Page
from wagtail.search import index
from wagtail.search.backends import get_search_backend


class SearchablePages:
    """Pages made under the root for a test, and searches limited to them."""

    def __init__(self):
        self.root = Page.get_first_root_node()
        self.made: list[Page] = []
        self._slugs = itertools.count(1)

    def add(self, title: str, description: str = "") -> Page:
        page = Page(title=title, slug=f"search-{next(self._slugs)}", search_description=description)
        self.made.append(self.root.add_child(instance=page))
        return page

    def queryset(self):
        return Page.objects.filter(pk__in=[page.pk for page in self.made])

    def search(self, query, **kwargs) -> set[str]:
        return {
            page.title for page in get_search_backend().search(query, self.queryset(), **kwargs)
        }

    def autocomplete(self, query, **kwargs) -> set[str]:
        backend = get_search_backend()
        return {page.title for page in backend.autocomplete(query, self.queryset(), **kwargs)}


@pytest.fixture
def pages(db):
    return SearchablePages()


@pytest.fixture
def description_indexed(monkeypatch):
    """Index ``search_description`` too, as a body field (Wagtail indexes only a page's title)."""
    monkeypatch.setattr(
        Page, "search_fields", [*Page.search_fields, index.SearchField("search_description")]
    )
