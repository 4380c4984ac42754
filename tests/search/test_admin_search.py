"""The Wagtail admin's own page search goes through the Chinese backend."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("search-admin", password="pass-word-123")
    client.force_login(user)
    return client


def test_admin_page_search_finds_a_word_inside_a_title(admin_client, pages):
    pages.add("各子公司通过联合展业开展交叉销售")
    pages.add("渠道和共享是两回事")
    response = admin_client.get(reverse("wagtailadmin_pages:search"), {"q": "联合展业"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "各子公司通过联合展业开展交叉销售" in html
    assert "渠道和共享是两回事" not in html


def test_admin_page_search_keeps_segments_together(admin_client, pages):
    pages.add("推动渠道共享的做法")
    pages.add("渠道和共享是两回事")
    response = admin_client.get(reverse("wagtailadmin_pages:search"), {"q": "渠道共享"})
    html = response.content.decode()
    assert "推动渠道共享的做法" in html
    assert "渠道和共享是两回事" not in html


def test_admin_page_search_needs_an_admin_login(client, pages):
    pages.add("各子公司通过联合展业开展交叉销售")
    response = client.get(reverse("wagtailadmin_pages:search"), {"q": "联合展业"})
    assert response.status_code == 302
    assert "各子公司通过联合展业开展交叉销售" not in response.content.decode()
