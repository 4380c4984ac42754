from axes.helpers import get_cool_off
from axes.utils import reset as reset_failed_logins
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext as _
from wagtail import hooks

from .selectors import scope_summary, unit_ancestry


def home(request):
    """The page every role lands on: profile and scope here, panels from later apps below.

    Apps add panels with the ``construct_person_home_panels`` hook: a function taking the request
    and the list of panels, appending dicts. Each dict names its ``template`` and carries the
    context that template reads as ``panel``; ``includes/home_panel.html`` renders the simple
    case of a ``title``, a ``text`` and an optional ``url`` with its ``link_text``.
    """
    person = getattr(request.user, "person", None)
    scope = scope_summary(request.user)
    ancestry = []
    if person is not None:
        own_unit_is_scope = scope is not None and scope["unit"].pk == person.org_unit_id
        ancestry = scope["ancestry"] if own_unit_is_scope else unit_ancestry(person.org_unit)
    panels: list[dict] = []
    for hook in hooks.get_hooks("construct_person_home_panels"):
        hook(request, panels)
    return render(
        request,
        "organization/home.html",
        {"person": person, "ancestry": ancestry, "scope": scope, "panels": panels},
    )


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password through the e-mailed link also lifts the account's lockout.

    The lockout page sends people here; whoever can read the account's mailbox may try again at
    once. Failures counted against the address stay until their cool-off ends.
    """

    def form_valid(self, form):
        response = super().form_valid(form)
        reset_failed_logins(username=form.user.get_username())
        return response


def lockout_response(request, original_response=None, credentials=None):
    """What django-axes shows once an account or an address has failed too often."""
    minutes = max(1, round(get_cool_off(request).total_seconds() / 60))
    message = _(
        "登录失败次数过多，该账号或网络地址已被暂时锁定。请 %(minutes)d 分钟后再试，"
        "或通过邮件重置密码，或联系培训管理员。"
    ) % {"minutes": minutes}
    return render(request, "registration/locked_out.html", {"message": message}, status=429)
