from django.utils.safestring import SafeString

from config.search.highlight import excerpt, highlight


def test_the_query_is_marked_inside_a_sentence():
    marked = highlight("各子公司通过联合展业开展交叉销售", "联合展业")
    assert isinstance(marked, SafeString)
    assert marked == "各子公司通过<mark>联合展业</mark>开展交叉销售"


def test_the_text_is_escaped():
    marked = highlight("<b>联合展业</b> & 渠道共享", "联合展业")
    assert marked == "&lt;b&gt;<mark>联合展业</mark>&lt;/b&gt; &amp; 渠道共享"


def test_segments_are_marked_where_they_stand_apart():
    assert highlight("加强销售队伍和人员的管理", "销售人员") == (
        "加强<mark>销售</mark>队伍和<mark>人员</mark>的管理"
    )


def test_the_whole_query_wins_over_its_parts():
    assert highlight("交叉销售人员", "销售人员") == "交叉<mark>销售人员</mark>"


def test_each_term_of_the_query_is_marked():
    assert highlight("联合展业形成的企业年金", "企业年金 联合展业") == (
        "<mark>联合展业</mark>形成的<mark>企业年金</mark>"
    )


def test_one_character_segment_is_marked_only_with_its_term():
    assert highlight("2026年度计划，每年一次", "2026年") == "<mark>2026年</mark>度计划，每年一次"
    assert highlight("人保寿险、健康险", "险") == "人保寿<mark>险</mark>、健康<mark>险</mark>"


def test_matching_ignores_case():
    assert highlight("Wagtail 后台", "wagtail") == "<mark>Wagtail</mark> 后台"
    assert highlight("执行GB/T 2260标准", "gb/t 2260") == "执行<mark>GB/T 2260</mark>标准"


def test_a_query_without_words_marks_nothing():
    assert highlight("交叉销售，联合展业。", "，。") == "交叉销售，联合展业。"
    assert highlight("a < b", "") == "a &lt; b"


def test_excerpt_is_a_window_around_the_first_match():
    text = "交叉销售" * 20 + "通过联合展业方式开展业务" + "其他内容" * 30
    snippet = excerpt(text, "联合展业")
    assert snippet.startswith("…")
    assert snippet.endswith("…")
    assert "<mark>联合展业</mark>" in snippet
    plain = snippet.replace("<mark>", "").replace("</mark>", "")
    assert len(plain) == 80 + 2
    assert plain.index("联合展业") == 1 + 20


def test_excerpt_near_the_end_keeps_its_full_length():
    text = "其他内容" * 30 + "联合展业"
    plain = excerpt(text, "联合展业").replace("<mark>", "").replace("</mark>", "")
    assert plain == "…" + text[-80:]


def test_excerpt_without_a_match_is_the_beginning():
    text = "交叉销售培训" * 30
    assert excerpt(text, "企业年金") == text[:80] + "…"


def test_short_text_is_its_own_excerpt_with_whitespace_collapsed():
    assert excerpt("联合展业\n\n  与  渠道共享", "渠道共享") == "联合展业 与 <mark>渠道共享</mark>"


def test_excerpt_is_escaped():
    text = "<script>" + "交叉销售" * 30
    assert excerpt(text, "交叉销售").startswith("&lt;script&gt;<mark>交叉销售")
