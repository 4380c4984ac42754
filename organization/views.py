from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from wagtail import hooks

from .selectors import scope_summary, unit_ancestry


def home(request):
    """The page every role lands on: profile and scope here, panels from later apps below.

    Apps add panels with the ``construct_person_home_panels`` hook: a function taking the request
    and the list of panels, each panel a dict with ``template`` and its context.
    """
    person = getattr(request.user, "person", None)
    panels: list[dict] = []
    for hook in hooks.get_hooks("construct_person_home_panels"):
        hook(request, panels)
    return render(
        request,
        "organization/home.html",
        {
            "person": person,
            "ancestry": unit_ancestry(person.org_unit) if person else [],
            "scope": scope_summary(request.user),
            "panels": panels,
        },
    )


def lockout_response(request, credentials, *args, **kwargs):
    """What django-axes shows once an account or an address has failed too often."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    message = _(
        "登录失败次数过多，该账号或网络地址已被暂时锁定。请 %(minutes)d 分钟后再试，"
        "或联系培训管理员重置密码。"
    ) % {"minutes": minutes}
    return render(request, "registration/locked_out.html", {"message": message}, status=429)
