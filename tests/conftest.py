import pytest

from tests.organization.factories import build_tree, make_person


@pytest.fixture
def tree(db):
    """The demo-shaped org tree: three companies, each 广东 → 广州/深圳 → county → outlet."""
    return build_tree()


@pytest.fixture
def person_factory(db):
    return make_person


@pytest.fixture
def login(client):
    """Log ``person`` in on the test client and return the client."""

    def _login(person):
        client.force_login(person.user)
        return client

    return _login
