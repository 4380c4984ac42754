"""The admin page forms offer only the editor's companies, and pick it when there is one."""

import re

import pytest
from django.urls import reverse

from organization.models import Role


def company_options(html: str, field: str) -> dict[str, bool]:
    """``{company name: selected}`` of the ``field`` select in the admin form."""
    select = re.search(rf'<select name="{field}".*?</select>', html, re.S).group(0)
    return {
        name.strip(): bool(selected)
        for selected, name in re.findall(
            r'<option value="\d+"( selected)?>([^<]+)</option>', select
        )
    }


def add_form(client, user, model: str, parent) -> str:
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_pages:add", args=["courses", model, parent.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("model", "field", "section"),
    [
        ("coursepage", "owning_company", "catalogue"),
        ("morningmeetingpage", "company", "meetings_index"),
    ],
)
def test_a_company_lecturer_gets_their_company_picked(
    client, request, l_lecturer, model, field, section
):
    html = add_form(client, l_lecturer.user, model, request.getfixturevalue(section))

    assert company_options(html, field) == {"人保寿险": True}


def test_a_group_lecturer_chooses_among_all_companies(client, tree, person_factory, catalogue):
    group_lecturer = person_factory(tree["group"], Role.LECTURER)

    html = add_form(client, group_lecturer.user, "coursepage", catalogue)

    assert company_options(html, "owning_company") == {
        "人保财险": False,
        "人保寿险": False,
        "人保健康": False,
    }
