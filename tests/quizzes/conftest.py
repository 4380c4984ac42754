"""People around the question bank: lecturers of two companies, coordinators at three levels."""

import pytest

from organization.models import Role

from .factories import make_category


@pytest.fixture
def p_lecturer(tree, person_factory):
    return person_factory(tree["PGZ"], Role.LECTURER, name="财险讲师")


@pytest.fixture
def l_lecturer(tree, person_factory):
    return person_factory(tree["LGZ"], Role.LECTURER, name="寿险讲师")


@pytest.fixture
def p_coordinator(tree, person_factory):
    """A coordinator at the company itself: the company's bank is in scope."""
    return person_factory(tree["P"], Role.COORDINATOR, name="财险培训管理员")


@pytest.fixture
def gd_coordinator(tree, person_factory):
    """A coordinator at a province: the company's bank is above their subtree."""
    return person_factory(tree["PGD"], Role.COORDINATOR, name="广东培训管理员")


@pytest.fixture
def p_agent(tree, person_factory):
    return person_factory(tree["PGZ0101"], Role.AGENT, name="财险业务员")


@pytest.fixture
def p_category(tree):
    return make_category(tree["P"], "交叉销售业务管理")


@pytest.fixture
def l_category(tree):
    return make_category(tree["L"], "交叉销售培训管理")
