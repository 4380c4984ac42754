"""Admin wiring of the quizzes app.

Question bank (Q1): categories and questions (viewsets), the import wizard, the template and the
export, all in the "认证考试" menu. Who may touch which bank is ``quizzes.rules``' decision: the
permission policies below ask it for every object, the views refuse objects of other banks (a
lecturer of another company is sent back to the dashboard), the listings show only the user's
banks and the forms offer only their companies and categories. Model permissions (which open the
menu at all) come from the lecturer and coordinator groups (``quizzes.permissions``).

Other parts of the app append their registrations below; admin pages of theirs join the menu
through ``@hooks.register("register_quizzes_menu_item")`` returning a ``MenuItem``.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import ChoiceFilter, ModelChoiceFilter
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from organization.demo import DEMO_DATA_HOOK

from . import bank_views
from .admin_forms import QuestionCategoryForm, QuestionForm
from .demo import load_quizzes
from .models import Difficulty, Question, QuestionCategory, QuestionKind
from .rules import bank_company_ids, can_edit_bank, may_use_bank

# Question bank -----------------------------------------------------------------------------------


class BankPermissionPolicy(ModelPermissionPolicy):
    """Model permissions (from the role groups) cut down to the banks the user may edit."""

    def user_has_permission(self, user, action):
        return super().user_has_permission(user, action) and may_use_bank(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and can_edit_bank(user, instance.company_id)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return self.model.objects.filter(company_id__in=bank_company_ids(user))


register_permission_policy(QuestionCategory, BankPermissionPolicy(QuestionCategory))
register_permission_policy(Question, BankPermissionPolicy(Question))


class BankObjectMixin:
    """Refuse a category or question of a bank the user may not edit."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not can_edit_bank(self.request.user, obj.company_id):
            raise PermissionDenied
        return obj


class BankIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .filter(company_id__in=bank_company_ids(self.request.user))
            .select_related(*self.related)
        )

    related = ("company",)


class ProtectedDeleteView(BankObjectMixin, generic.DeleteView):
    """A category with questions, or a question a quiz uses, stays; the user is told why."""

    protected_message = ""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(self.request, self.protected_message)
            return redirect(self.edit_url_name, self.object.pk)


class BankEditView(BankObjectMixin, generic.EditView):
    pass


class BankHistoryView(BankObjectMixin, HistoryView):
    pass


class BankViewSet(ModelViewSet):
    """No copy, inspect or usage views: they would show objects without asking the bank rule."""

    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False
    search_backend_name = None
    list_per_page = 50
    edit_view_class = BankEditView
    history_view_class = BankHistoryView

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(usage_url_name=None, **kwargs)

    def get_urlpatterns(self):
        return [pattern for pattern in super().get_urlpatterns() if pattern.name != "usage"]


class CategoryIndexView(BankIndexView):
    related = ("company",)


class CategoryDeleteView(ProtectedDeleteView):
    protected_message = gettext_lazy("分类中还有题目或被考试的抽题规则使用，不能删除。")


class QuestionCategoryViewSet(BankViewSet):
    model = QuestionCategory
    name = "question_categories"
    url_prefix = "quizzes/categories"
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("题目分类")
    menu_order = 100
    list_display = ["name", "company", "description"]
    search_fields = ["name"]
    index_view_class = CategoryIndexView
    delete_view_class = CategoryDeleteView
    edit_handler = ObjectList(
        [FieldPanel("company"), FieldPanel("name"), FieldPanel("description")],
        base_form_class=QuestionCategoryForm,
    )


def _categories_for(request):
    if request is None:
        return QuestionCategory.objects.none()
    return QuestionCategory.objects.filter(company_id__in=bank_company_ids(request.user))


class QuestionFilterSet(WagtailFilterSet):
    category = ModelChoiceFilter(label=gettext_lazy("分类"), queryset=_categories_for)
    kind = ChoiceFilter(label=gettext_lazy("题型"), choices=QuestionKind.choices)
    difficulty = ChoiceFilter(label=gettext_lazy("难度"), choices=Difficulty.choices)

    class Meta:
        model = Question
        fields = ["category", "kind", "difficulty", "active"]


class QuestionIndexView(BankIndexView):
    related = ("category", "company")


class QuestionDeleteView(ProtectedDeleteView):
    protected_message = gettext_lazy("这道题已被考试使用，不能删除；可以取消“启用”把它停用。")


class QuestionViewSet(BankViewSet):
    model = Question
    name = "questions"
    url_prefix = "quizzes/questions"
    icon = "help"
    menu_label = gettext_lazy("题目")
    menu_order = 110
    list_display = ["__str__", "kind", "category", "difficulty", "active", "updated_at"]
    filterset_class = QuestionFilterSet
    search_fields = ["stem", "explanation"]
    index_view_class = QuestionIndexView
    delete_view_class = QuestionDeleteView
    edit_handler = ObjectList(
        [
            FieldPanel("category"),
            FieldPanel("kind"),
            FieldPanel("stem"),
            FieldPanel("image"),
            MultiFieldPanel(
                [
                    InlinePanel(
                        "choices",
                        heading=gettext_lazy("选项"),
                        label=gettext_lazy("选项"),
                        panels=[FieldPanel("text"), FieldPanel("is_correct")],
                    )
                ],
                heading=gettext_lazy("选项（单选题、多选题）"),
                help_text=gettext_lazy("单选题恰好一个正确选项，多选题至少一个。"),
            ),
            FieldPanel("is_true"),
            FieldPanel("accepted_answers"),
            FieldPanel("explanation"),
            FieldPanel("difficulty"),
            FieldPanel("tags"),
            FieldPanel("active"),
        ],
        base_form_class=QuestionForm,
    )


class QuizzesViewSetGroup(ModelViewSetGroup):
    """The "认证考试" menu. Other admin pages join it through ``submenu_hook``."""

    items = (QuestionCategoryViewSet, QuestionViewSet)
    menu_label = gettext_lazy("认证考试")
    menu_icon = "tasks"
    menu_order = 260
    submenu_hook = "register_quizzes_menu_item"


@hooks.register("register_admin_viewset")
def register_quizzes_viewsets():
    return QuizzesViewSetGroup()


@hooks.register("register_admin_urls")
def register_question_bank_urls():
    return [
        path(
            "quizzes/import/",
            include(
                (bank_views.import_urlpatterns, "question_import"), namespace="question_import"
            ),
        ),
        path("quizzes/export/", bank_views.export, name="question_export"),
    ]


@hooks.register("register_quizzes_menu_item")
def register_question_import_menu_item():
    return bank_views.BankMenuItem(
        _("导入题目"),
        reverse("question_import:index"),
        name="question-import",
        icon_name="upload",
        order=120,
    )


# manage.py load_demo: the bank written from the seed and a quiz per course (quizzes/demo.py).
hooks.register(DEMO_DATA_HOOK, load_quizzes)


@hooks.register("register_quizzes_menu_item")
def register_question_export_menu_item():
    return bank_views.BankMenuItem(
        _("导出题目"),
        reverse("question_export"),
        name="question-export",
        icon_name="download",
        order=130,
    )


# Certificates (Q3): certifications, certificates (revoke), API clients and their call log, in
# the "资格证书" menu (quizzes.certificate_admin); the agents' expiry notice on the home page.

from . import certificate_admin  # noqa: E402
from .certificate_demo import load_certificates_demo  # noqa: E402
from .models import ApiCall, ApiClient, Certificate, Certification  # noqa: E402
from .views.certificates import home_panel as certificate_home_panel  # noqa: E402

register_permission_policy(
    Certification, certificate_admin.CertificationPermissionPolicy(Certification)
)
register_permission_policy(Certificate, certificate_admin.CertificatePermissionPolicy(Certificate))
register_permission_policy(ApiClient, certificate_admin.ApiPermissionPolicy(ApiClient))
register_permission_policy(ApiCall, certificate_admin.ApiCallPermissionPolicy(ApiCall))


@hooks.register("register_admin_viewset")
def register_certificate_viewsets():
    return certificate_admin.CertificateViewSetGroup()


@hooks.register("register_log_actions")
def register_certificate_log_actions(actions):
    actions.register_action("quizzes.revoke_certificate", _("撤销证书"), _("已撤销证书"))
    actions.register_action("quizzes.rotate_api_token", _("更换令牌"), _("已更换接口令牌"))


hooks.register("construct_person_home_panels", certificate_home_panel)

# manage.py load_demo: certifications for the demo quizzes, a few certificates, an API client
# (quizzes/certificate_demo.py). Registered after load_quizzes above, so it runs after it.
hooks.register(DEMO_DATA_HOOK, load_certificates_demo)


# Quizzes (Q2): the quiz viewset, per-quiz statistics and export, question regrade
# (quizzes.quiz_admin), in the "认证考试" menu.

from . import quiz_admin  # noqa: E402
from .models import Quiz  # noqa: E402

register_permission_policy(Quiz, quiz_admin.QuizPermissionPolicy(Quiz))


@hooks.register("register_admin_viewset")
def register_quiz_viewset():
    return quiz_admin.QuizViewSet()


@hooks.register("register_admin_urls")
def register_quiz_admin_urls():
    return quiz_admin.admin_urlpatterns()


@hooks.register("register_quizzes_menu_item")
def register_quiz_menu_item():
    return quiz_admin.quiz_menu_item()
