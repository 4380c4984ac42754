"""How django-axes forgets failed logins, narrowed to the account that logged in.

With ``AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]`` the stock database handler, on a
successful login, deletes every failed attempt of that account *and of that address*. Someone
with one valid account could then guess another person's password without end, logging in to
their own account after every four guesses to wipe the count. This handler forgets only the
failures recorded against the account that just logged in; an address stays counted until its
cool-off ends.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username


class AccountResetDatabaseHandler(AxesDatabaseHandler):
    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        return self.reset_attempts(username=username)
