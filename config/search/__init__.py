"""Chinese-aware search for every indexed model (Wagtail pages, media, snippets) and the admin.

- ``segmentation``: jieba with the insurance terms of ``insurance_terms.txt``; the tokens that the
  index and the queries are made of.
- ``backend``: the search backend (``WAGTAILSEARCH_BACKENDS``), with its SQLite and PostgreSQL
  variants in ``sqlite`` and ``postgres``.
- ``highlight``: ``highlight()`` and ``excerpt()``, which mark the matched words in a result.
"""
