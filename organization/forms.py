from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput

from .models import KIND_DEPTH, OrgUnit, OrgUnitKind, Person, Role
from .scope import MANAGING_ROLES, scope_unit, units_in_scope


class EmployeeLoginForm(AuthenticationForm):
    """Log in with the employee number, which is the account's user name.

    A deactivated account gets the same answer as a wrong password: Django's ModelBackend refuses
    inactive users before the form sees them, and telling a stranger that an employee number
    exists but is switched off would leak who works here. The message names both causes so
    that a person who has left knows why. ``inactive`` is only shown should a backend ever hand
    the form an inactive user.
    """

    username = forms.CharField(
        label=_("工号"),
        max_length=32,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        "invalid_login": _(
            "工号或密码不正确，或该账号已停用。请注意：连续多次输错后账号将被暂时锁定。"
        ),
        "inactive": _("该账号已停用，请联系培训管理员。"),
    }


class EmployeePasswordResetForm(PasswordResetForm):
    """Reset by e-mail, also for accounts that never had a password.

    People are created without a password unless a coordinator sets one (see
    ``person_create``); the e-mailed link is how they set their first. Django's form skips
    accounts with an unusable password, so this one asks only that the account is active.
    The mail goes to the address stored on the account, never to the one typed in.
    """

    def get_users(self, email):
        user_model = get_user_model()
        email_field = user_model.get_email_field_name()
        return user_model._default_manager.filter(
            **{f"{email_field}__iexact": email, "is_active": True}
        ).iterator()


# The Wagtail admin's forms for the org tree and people (views in admin_views.py). They check what
# a form can check; the services check the rest again and their messages land on the fields.

IDEOGRAPHIC_SPACE = "\u3000"


class ScopedUnitChoiceField(forms.ModelChoiceField):
    """A unit of the user's managed subtree, in tree order and indented by depth.

    Anything else that is posted, a unit of another branch included, is refused with one sentence.
    """

    default_error_messages = {"invalid_choice": _("所选机构不在您的管理范围内。")}

    def __init__(self, *, user, **kwargs):
        root = scope_unit(user, roles=MANAGING_ROLES)
        self.base_depth = root.depth if root is not None else 1
        units = units_in_scope(user, roles=MANAGING_ROLES).order_by("path")
        super().__init__(queryset=units, **kwargs)

    def label_from_instance(self, unit):
        indent = IDEOGRAPHIC_SPACE * (unit.depth - self.base_depth)
        label = f"{indent}{unit.name}（{unit.code}）"
        return label if unit.is_active else _("%(unit)s（已停用）") % {"unit": label}


class OrgUnitCreateForm(forms.ModelForm):
    """A new unit under ``parent``. Whether its kind may sit there is for org_unit_create to say."""

    class Meta:
        model = OrgUnit
        fields = ["kind", "name", "code", "region_code"]

    def __init__(self, *args, parent: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        # Every kind but the group: a wrong level gets the service's sentence next to the field.
        self.fields["kind"].choices = [
            (kind, label) for kind, label in OrgUnitKind.choices if kind != OrgUnitKind.GROUP
        ]
        next_kinds = [kind for kind, depth in KIND_DEPTH.items() if depth == parent.kind_depth + 1]
        if next_kinds:
            self.fields["kind"].initial = next_kinds[0]


class OrgUnitEditForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["name", "code", "region_code", "is_active"]
        help_texts = {
            "is_active": _("机构撤并时请停用而不是删除：其人员和历史记录都会保留。"),
        }


class OrgUnitMoveForm(forms.Form):
    """Where a unit goes: any unit the user manages; org_unit_move refuses the impossible ones."""

    def __init__(self, *args, instance: OrgUnit, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["new_parent"] = ScopedUnitChoiceField(
            user=user,
            label=_("新的上级机构"),
            help_text=_("机构连同其全部下级机构和人员一起移动。"),
        )
        if not instance.is_root():
            self.initial["new_parent"] = instance.get_parent().pk

    def clean_new_parent(self):
        new_parent = self.cleaned_data["new_parent"]
        if new_parent.pk == self.initial.get("new_parent"):
            # Moving under the same parent would only renumber the subtree's paths.
            raise ValidationError(_("该机构已在所选机构之下，无需移动。"))
        return new_parent


class PersonForm(forms.ModelForm):
    """What a coordinator keeps about a person; the unit is one of the coordinator's own."""

    email = forms.EmailField(
        label=_("电子邮箱"), required=False, help_text=_("用于通过邮件重置密码。")
    )
    roles = forms.MultipleChoiceField(
        label=_("角色"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个角色。")},
    )

    class Meta:
        model = Person
        fields = ["name", "mobile", "email", "org_unit", "channel", "roles", "hire_date"]
        widgets = {"hire_date": AdminDateInput}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.editor = user
        self.fields["org_unit"] = ScopedUnitChoiceField(
            user=user, label=Person._meta.get_field("org_unit").verbose_name
        )


class PersonCreateForm(PersonForm):
    class Meta(PersonForm.Meta):
        fields = ["employee_no", *PersonForm.Meta.fields]

    def validate_unique(self):
        """Left to person_create, which also checks the login name and says so in one sentence."""


class PersonEditForm(PersonForm):
    class Meta(PersonForm.Meta):
        fields = [*PersonForm.Meta.fields, "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["email"] = self.instance.user.email
        self.initial["roles"] = sorted(self.instance.roles)

    def clean(self):
        """Coordinators cannot lock themselves out: that is for the coordinator above them."""
        cleaned_data = super().clean()
        if self.instance.user_id != self.editor.pk:
            return cleaned_data
        unit = cleaned_data.get("org_unit")
        if (
            not cleaned_data.get("is_active")
            or (unit is not None and unit.pk != self.instance.org_unit_id)
            or (
                self.instance.has_role(Role.COORDINATOR)
                and Role.COORDINATOR not in cleaned_data.get("roles", [])
            )
        ):
            raise ValidationError(
                _(
                    "不能停用自己、把自己调到其他机构或取消自己的培训管理员角色，"
                    "请联系上级培训管理员。"
                )
            )
        return cleaned_data


class PersonPasswordForm(SetPasswordForm):
    """A coordinator sets a person's password, held to the site's password rules."""

    def __init__(self, *args, instance: Person, **kwargs):
        super().__init__(instance.user, *args, **kwargs)
