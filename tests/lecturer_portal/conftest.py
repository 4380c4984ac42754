"""A cross-company set-up in 广州: a P&C coordinator, life lecturers, a group corps."""

import pytest

from organization.models import Role
from tests.organization.factories import make_person

from .factories import make_corps, make_lecturer


@pytest.fixture
def gz_coordinator(tree):
    """人保财险广州分公司's training coordinator."""
    return make_person(tree["PGZ"], Role.COORDINATOR, name="广州培训管理员")


@pytest.fixture
def sz_coordinator(tree):
    return make_person(tree["PSZ"], Role.COORDINATOR, name="深圳培训管理员")


@pytest.fixture
def group_coordinator(tree):
    return make_person(tree["group"], Role.COORDINATOR, name="集团培训管理员")


@pytest.fixture
def group_corps(tree, group_coordinator):
    return make_corps(tree["group"], user=group_coordinator.user, name="营销培训讲师团")


@pytest.fixture
def life_lecturer(tree, gz_coordinator):
    """A P&C full-time lecturer in 广州, qualified to teach the life company's products."""
    return make_lecturer(
        tree["PGZ"], user=gz_coordinator.user, qualified_for=(tree["L"],), name="王芳"
    )
