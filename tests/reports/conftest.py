import pytest

from organization.models import Role
from tests.courses.factories import make_course, make_lesson


@pytest.fixture
def group_coordinator(tree, person_factory):
    return person_factory(tree["group"], Role.COORDINATOR, name="集团培训管理员")


@pytest.fixture
def courses(tree):
    """Two live courses of two text lessons each, open to all three companies."""
    made = []
    for owner in (tree["P"], tree["L"]):
        course = make_course(owner=owner, audience=[tree["P"], tree["L"], tree["H"]])
        make_lesson(course)
        make_lesson(course)
        made.append(course)
    return made
