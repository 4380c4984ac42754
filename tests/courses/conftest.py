"""The site's two sections and a lecturer and an agent of each side (clips: tests/conftest.py)."""

import pytest

from courses.models import CourseIndexPage, MorningMeetingIndexPage
from organization.models import Role


@pytest.fixture
def catalogue(db) -> CourseIndexPage:
    return CourseIndexPage.objects.get()


@pytest.fixture
def meetings_index(db) -> MorningMeetingIndexPage:
    return MorningMeetingIndexPage.objects.get()


@pytest.fixture
def p_lecturer(tree, person_factory):
    return person_factory(tree["PGZ"], Role.LECTURER, name="财险讲师")


@pytest.fixture
def l_lecturer(tree, person_factory):
    return person_factory(tree["LGZ"], Role.LECTURER, name="寿险讲师")


@pytest.fixture
def p_agent(tree, person_factory):
    return person_factory(tree["PGZ0101"], Role.AGENT, name="财险业务员")
