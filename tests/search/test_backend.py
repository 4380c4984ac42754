"""The Chinese search backend, on whichever database the suite runs (SQLite or PostgreSQL)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry
from wagtail.search.query import Not, Phrase, PlainText
from wagtail.search.utils import parse_query_string

from config.search.backend import ranked_pks


def test_backend_for_the_database_in_use_is_the_chinese_one(db):
    expected = {
        "sqlite": "ChineseSQLiteSearchBackend",
        "postgresql": "ChinesePostgresSearchBackend",
    }[connection.vendor]
    assert type(get_search_backend()).__name__ == expected


def test_a_saved_page_is_indexed_at_once(pages):
    page = pages.add("通过联合展业方式开展交叉销售")
    assert IndexEntry.objects.filter(object_id=str(page.pk)).exists()
    assert pages.search("联合展业") == {page.title}


def test_word_inside_a_sentence_is_found(pages):
    pages.add("各子公司通过联合展业形成的保费收入")
    pages.add("交叉销售业务培训")
    assert pages.search("联合展业") == {"各子公司通过联合展业形成的保费收入"}
    assert pages.search("保费收入") == {"各子公司通过联合展业形成的保费收入"}


@pytest.mark.parametrize(
    ("term", "title"),
    [
        ("产代寿", "互动部人员销售的寿险业务确认为产代寿业务"),
        ("互动部", "通过互动部模式开展交叉销售"),
        ("企业年金", "通过业务协同形成的企业年金等其他收入"),
        ("续保", "对于其他子公司原承保业务的续保不得竞争"),
        ("协调小组", "集团成立交叉销售产品工作协调小组"),
        ("讲师团", "集团公司组建中国人保营销培训讲师团"),
    ],
)
def test_insurance_term_inside_a_sentence_is_found(pages, term, title):
    pages.add(title)
    pages.add("集团公司定期通报交叉销售业务信息")
    assert pages.search(term) == {title}


def test_several_segments_match_only_where_they_stand_together(pages):
    pages.add("推动渠道共享的做法")
    pages.add("渠道和共享是两回事")
    pages.add("共享渠道资源")
    assert pages.search("渠道共享") == {"推动渠道共享的做法"}
    assert pages.search("渠道") == {"推动渠道共享的做法", "渠道和共享是两回事", "共享渠道资源"}


def test_phrase_is_found_where_the_text_was_cut_differently(pages):
    pages.add("加强对交叉销售人员的教育和管理")
    pages.add("销售和人员管理")
    assert pages.search("销售人员") == {"加强对交叉销售人员的教育和管理"}


def test_word_inside_a_longer_word_is_found(pages):
    pages.add("集团公司组建中国人保营销培训讲师团")
    assert pages.search("师团") == {"集团公司组建中国人保营销培训讲师团"}
    assert pages.search("培训讲师") == {"集团公司组建中国人保营销培训讲师团"}


def test_single_character_finds_every_text_containing_it(pages):
    pages.add("人保寿险的产品")
    pages.add("健康险业务")
    pages.add("交叉销售培训")
    assert pages.search("险") == {"人保寿险的产品", "健康险业务"}


def test_mixed_chinese_latin_and_digits(pages):
    pages.add("行政区划代码执行GB/T 2260标准")
    pages.add("2026年度培训计划")
    pages.add("2025年度培训计划")
    pages.add("Wagtail后台操作培训")
    assert pages.search("GB/T 2260") == {"行政区划代码执行GB/T 2260标准"}
    assert pages.search("ＧＢ／Ｔ") == {"行政区划代码执行GB/T 2260标准"}
    assert pages.search("2026年") == {"2026年度培训计划"}
    assert pages.search("wagtail") == {"Wagtail后台操作培训"}


def test_every_term_must_match_unless_the_operator_is_or(pages):
    pages.add("联合展业形成的企业年金")
    pages.add("联合展业形成的保费收入")
    assert pages.search("联合展业 企业年金") == {"联合展业形成的企业年金"}
    assert pages.search("企业年金 保费收入", operator="or") == {
        "联合展业形成的企业年金",
        "联合展业形成的保费收入",
    }


def test_quoted_phrase_and_negation(pages):
    pages.add("交叉销售的续保业务")
    pages.add("交叉销售的首期业务")
    _filters, quoted = parse_query_string('"销售的续保"')
    assert isinstance(quoted, Phrase)
    assert pages.search(quoted) == {"交叉销售的续保业务"}
    assert pages.search(PlainText("交叉销售") & Not(PlainText("续保"))) == {"交叉销售的首期业务"}


def test_query_of_punctuation_only_finds_nothing(pages):
    pages.add("交叉销售，联合展业。")
    assert pages.search("，。") == set()
    assert pages.search("联合展业 ，") == {"交叉销售，联合展业。"}


def test_autocomplete_with_a_plaintext_query_segments_it(pages):
    """The Wagtail admin's search: ``autocomplete()`` with a ``PlainText``, not a string."""
    pages.add("通过联合展业方式开展交叉销售")
    pages.add("渠道和共享是两回事")
    assert pages.autocomplete(PlainText("联合展业")) == {"通过联合展业方式开展交叉销售"}
    assert pages.autocomplete(PlainText("联合展")) == {"通过联合展业方式开展交叉销售"}
    assert pages.autocomplete(PlainText("渠道共享")) == set()


def test_body_fields_are_searched_and_fields_restrict_to_the_title(pages, description_indexed):
    pages.add("第二十六条", "通过相互代理、联合展业、渠道共享等方式形成的保费收入")
    pages.add("联合展业的认定", "由双方协商确定")
    assert pages.search("渠道共享") == {"第二十六条"}
    assert pages.search("联合展业") == {"第二十六条", "联合展业的认定"}
    assert pages.search("联合展业", fields=["title"]) == {"联合展业的认定"}
    assert pages.search("联合展业", fields=["search_description"]) == {"第二十六条"}


def test_title_and_body_do_not_make_a_phrase_across_them(pages, description_indexed):
    pages.add("推动渠道", "共享机制")
    assert pages.search("渠道共享") == set()
    assert pages.search("渠道 共享") == {"推动渠道"}


def test_rebuilding_the_index_segments_every_page(pages):
    pages.add("通过互动部模式开展交叉销售")
    pages.add("渠道和共享是两回事")
    IndexEntry.objects.all().delete()
    assert pages.search("互动部") == set()
    call_command("wagtail_update_index", stdout=io.StringIO())
    assert pages.search("互动部") == {"通过互动部模式开展交叉销售"}
    assert pages.autocomplete(PlainText("互动部")) == {"通过互动部模式开展交叉销售"}


def test_an_edited_page_is_reindexed(pages):
    page = pages.add("联合展业的做法")
    page.title = "企业年金的做法"
    page.save()
    assert pages.search("联合展业") == set()
    assert pages.search("企业年金") == {"企业年金的做法"}


def test_results_rank_the_closer_title_first(pages):
    pages.add("集团交叉销售的统计口径与渠道共享以及其他各项工作的安排")
    pages.add("渠道共享")
    titles = [page.title for page in get_search_backend().search("渠道共享", pages.queryset())]
    assert titles[0] == "渠道共享"


def test_ranked_pks_are_every_match_best_first_in_one_query(pages, django_assert_num_queries):
    pages.add("集团交叉销售的统计口径与渠道共享以及其他各项工作的安排")
    closest = pages.add("渠道共享")
    pages.add("渠道和共享是两回事")
    ranked_pks(pages.queryset(), "渠道", operator="and")  # content types cached, as in a server

    with django_assert_num_queries(1):
        pks = ranked_pks(pages.queryset(), "渠道共享", operator="and")

    assert len(pks) == 2 and pks[0] == closest.pk


@pytest.mark.parametrize(
    ("query", "options"),
    [
        ("渠道共享", {"operator": "and"}),
        ("共享 互动部", {"operator": "or"}),
        ("渠道", {"fields": ["title"]}),
        (PlainText("渠道") & Not(PlainText("互动部")), {}),
        (Phrase("渠道共享"), {}),
    ],
)
def test_ranked_pks_are_the_keys_of_the_search_results_in_order(
    pages, description_indexed, query, options
):
    pages.add("推动渠道共享", "各子公司渠道共享")
    pages.add("渠道共享", "互动部")
    pages.add("互动部的渠道", "渠道共享与互动部")
    pages.add("共享", "渠道和共享是两回事")
    searched = get_search_backend().search(query, pages.queryset(), **options)

    assert ranked_pks(pages.queryset(), query, **options) == [page.pk for page in searched]


def test_ranked_pks_of_a_query_without_words_are_none(pages, django_assert_num_queries):
    pages.add("交叉销售，联合展业。")
    with django_assert_num_queries(0):
        assert ranked_pks(pages.queryset(), "，。") == []
    assert ranked_pks(pages.queryset(), "") == []
