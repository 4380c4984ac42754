from django.db import connection
from django.test.utils import CaptureQueriesContext
from lecturer_portal.attendance import checkin_token, registration_register
from .test_session_views import live_session, agent, url  # noqa
import pytest
pytestmark = pytest.mark.django_db

def test_profile(live_session, agent, login):
    registration_register(person=agent, session=live_session)
    client = login(agent)
    client.get("/")  # warm
    token = checkin_token(session=live_session)
    with CaptureQueriesContext(connection) as ctx:
        r = client.post(url("check_in", live_session), {"t": token}, HTTP_ACCEPT="application/json")
    print(r.status_code, r.content)
    for q in ctx.captured_queries:
        print("--", q["sql"][:300])
    print("N", len(ctx.captured_queries))
