import pytest

from config.search.segmentation import (
    SEPARATOR,
    USER_DICTIONARY,
    index_tokens,
    query_tokens,
    segmenter,
)

USER_TERMS = [
    "产代寿",
    "寿代产",
    "产代健",
    "健代产",
    "互动部",
    "联合展业",
    "相互代理",
    "渠道共享",
    "企业年金",
    "续保",
    "保费收入",
    "协调小组",
    "统一培训教材",
    "现场查勘",
]


def words(text: str) -> list[str]:
    return list(segmenter().words(text))


@pytest.mark.parametrize("term", USER_TERMS)
def test_user_dictionary_term_is_one_word_inside_a_sentence(term):
    assert term in words(f"各公司通过{term}开展交叉销售工作")


def test_every_term_of_the_user_dictionary_is_a_known_word():
    terms = USER_DICTIONARY.read_text(encoding="utf-8").split()
    assert len(terms) > 100
    assert all(segmenter().tokenizer.FREQ.get(term, 0) > 0 for term in terms)


def test_a_query_is_the_pieces_of_its_words():
    assert query_tokens("联合展业") == ["联合", "展业"]
    assert query_tokens("渠道共享") == ["渠道", "共享"]
    assert query_tokens("讲师团") == ["讲师", "团"]
    assert query_tokens("产代寿") == ["产", "代", "寿"]


def test_text_and_query_pieces_line_up_where_they_are_cut_differently():
    assert "交叉销售" in words("加强对交叉销售人员的教育")
    text = [token for _source, token in index_tokens(["加强对交叉销售人员的教育"])]
    query = query_tokens("销售人员")
    assert query == ["销售", "人员"]
    start = text.index("销售")
    assert text[start : start + 2] == query


def test_index_holds_sub_words_and_characters_once_each_between_separators():
    tokens = [token for _source, token in index_tokens(["营销培训讲师团", "讲师团成员"])]
    first_text = ["营销", "培训", "讲师", "团", SEPARATOR]
    assert tokens[:5] == first_text
    assert tokens[5:9] == ["讲师", "团", "成员", SEPARATOR]
    extras = tokens[9:]
    assert extras[1::2] == [SEPARATOR] * (len(extras) // 2)
    extra_tokens = extras[0::2]
    assert "师团" in extra_tokens  # a word inside 讲师团
    assert "营" in extra_tokens and "成" in extra_tokens  # characters
    assert "讲师" not in extra_tokens  # already a token of the text
    assert len(extra_tokens) == len(set(extra_tokens))


def test_sources_say_which_text_a_token_came_from():
    sequence = index_tokens(["联合展业", "", "渠道共享"])
    assert (0, "联合") in sequence
    assert (2, "共享") in sequence
    assert (2, "渠") in sequence
    assert not any(source == 1 for source, _token in sequence)


def test_full_width_letters_case_and_accents_are_normalized():
    assert query_tokens("ＧＢ／Ｔ　２２６０") == ["gb", "t", "2260"]
    assert query_tokens("GB/T 2260") == ["gb", "t", "2260"]
    assert query_tokens("Café培训") == ["cafe", "培训"]


def test_digits_and_chinese_are_separate_tokens():
    assert query_tokens("2026年") == ["2026", "年"]
    assert query_tokens("第3期晨会") == ["第", "3", "期", "晨会"]


def test_punctuation_alone_has_no_tokens():
    assert query_tokens("、，。！") == []
    assert index_tokens(["——"]) == []
