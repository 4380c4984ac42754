from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class EmployeeLoginForm(AuthenticationForm):
    """Log in with the employee number, which is the account's user name."""

    username = forms.CharField(
        label=_("工号"),
        max_length=32,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        "invalid_login": _("工号或密码不正确。请注意：连续多次输错后账号将被暂时锁定。"),
        "inactive": _("该账号已停用，请联系培训管理员。"),
    }
