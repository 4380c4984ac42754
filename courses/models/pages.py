"""The course catalogue and the morning-meeting series: Wagtail pages.

Tree: site root → 课程目录 (CourseIndexPage) → course → lessons; site root → 晨会
(MorningMeetingIndexPage) → one page per meeting. A course and a meeting belong to a company;
lecturers change only their own company's pages (``courses.permissions``). ``serve`` checks the
front-end rule in ``courses.rules`` and ``get_context`` calls one selector, so every study page is
guarded the same way.
"""

from django import forms
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model_string
from wagtail.models import Page
from wagtail.search import index

from media_library.blocks import AudioBlock, VideoBlock
from organization.models import Channel, OrgUnitKind, Role

from ..blocks import RICH_TEXT_FEATURES, DocumentBlock, HeadingBlock, ImageBlock, KeyPointsBlock
from ..forms import CoursePageForm, MorningMeetingPageForm
from ..permissions import CompanyPagePermissionTester, SectionPagePermissionTester

COMPANY_CHOICES = {"kind": OrgUnitKind.COMPANY}

# Cross-selling names a pair by the business lines' one-character names: 产代寿 is a P&C (财产险)
# agent selling life (寿险) products. The line is read from the company's name.
BUSINESS_LINE_KEYWORDS = (("财", "产"), ("产", "产"), ("寿", "寿"), ("健康", "健"), ("养老", "养"))
MEDIA_BLOCK_TYPES = ("video", "audio")
MEETINGS_PER_PAGE = 20


def business_line(company) -> str:
    for keyword, short in BUSINESS_LINE_KEYWORDS:
        if keyword in company.name:
            return short
    return company.name


def route_to_child(
    parent: Page,
    model: type[Page],
    request,
    path_components: list[str],
    *,
    select_related: tuple[str, ...] = (),
):
    """``Page.route`` for a parent whose children are all ``model``: one query per level instead
    of Wagtail's two (the child row, then ``.specific``), with ``select_related`` joined in."""
    child = (
        model.objects.child_of(parent)
        .filter(slug=path_components[0])
        .select_related(*select_related)
        .first()
    )
    if child is None:
        raise Http404
    child._cached_parent_obj = parent
    return child.route(request, path_components[1:])


def cross_selling_labels(owner, audience_companies) -> list[str]:
    """ "产代寿" for each audience company other than the owner (here a life company)."""
    return [
        f"{business_line(company)}代{business_line(owner)}"
        for company in audience_companies
        if company.pk != owner.pk
    ]


class CompletionRule(models.TextChoices):
    ALL_REQUIRED_LESSONS = "all_required_lessons", _("完成全部必修课时")
    # The quiz app records the pass on the enrolment (``enrollment_record_quiz_result``).
    LESSONS_AND_QUIZ = "lessons_and_quiz", _("完成全部必修课时并通过考试")


class LessonKind(models.TextChoices):
    MEDIA = "media", _("音视频")
    TEXT = "text", _("图文")


class CourseIndexPage(Page):
    """The course catalogue: one per site, every course lives under it."""

    intro = RichTextField(_("简介"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("课程目录")
        verbose_name_plural = _("课程目录")

    def permissions_for_user(self, user):
        return SectionPagePermissionTester(user, self)

    def route(self, request, path_components):
        if path_components:
            # The cover comes with the course: its rendition is then read from the cache.
            return route_to_child(
                self, CoursePage, request, path_components, select_related=("cover_image",)
            )
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        from ..selectors import catalogue_for_person

        context = super().get_context(request, *args, **kwargs)
        person = getattr(request.user, "person", None)
        context["courses"] = catalogue_for_person(person=person) if person else []
        return context


class CourseTopicTag(TaggedItemBase):
    content_object = ParentalKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="topic_tagged_items"
    )

    class Meta:
        verbose_name = _("课程主题标签")
        verbose_name_plural = _("课程主题标签")


class CourseProductTag(TaggedItemBase):
    content_object = ParentalKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="product_tagged_items"
    )

    class Meta:
        verbose_name = _("课程产品标签")
        verbose_name_plural = _("课程产品标签")


class CourseAudienceChannel(models.Model):
    """One channel a course is for. A row per channel, so the catalogue filters in SQL alike on
    SQLite and PostgreSQL (a JSON list cannot be searched by containment on SQLite)."""

    course = ParentalKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="audience_channel_rows"
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)

    class Meta:
        verbose_name = _("受众渠道")
        verbose_name_plural = _("受众渠道")
        constraints = [
            models.UniqueConstraint(fields=["course", "channel"], name="course_channel_unique")
        ]

    def __str__(self):
        return Channel(self.channel).label


class CoursePage(Page):
    owning_company = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("所属公司"),
        help_text=_("课程讲授哪家公司的产品与业务。"),
        on_delete=models.PROTECT,
        limit_choices_to=COMPANY_CHOICES,
        related_name="owned_courses",
    )
    audience_companies = ParentalManyToManyField(
        "organization.OrgUnit",
        verbose_name=_("受众公司"),
        help_text=_("哪些公司的人员学习本课程，例如财险人员学习寿险课程即为产代寿。"),
        limit_choices_to=COMPANY_CHOICES,
        related_name="audience_courses",
    )
    summary = models.TextField(_("课程简介"), max_length=1000)
    cover_image = models.ForeignKey(
        get_image_model_string(),
        verbose_name=_("封面图片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    estimated_minutes = models.PositiveIntegerField(
        _("预计学习时长（分钟）"), null=True, blank=True
    )
    lecturers = ParentalManyToManyField(
        "organization.Person",
        verbose_name=_("讲师"),
        blank=True,
        limit_choices_to={"user__groups__name": Role.LECTURER},
        related_name="courses_taught",
    )
    completion_rule = models.CharField(
        _("完成条件"),
        max_length=32,
        choices=CompletionRule.choices,
        default=CompletionRule.ALL_REQUIRED_LESSONS,
    )
    topic_tags = ClusterTaggableManager(
        verbose_name=_("主题标签"),
        through=CourseTopicTag,
        blank=True,
        related_name="topic_courses",
    )
    product_tags = ClusterTaggableManager(
        verbose_name=_("产品标签"),
        through=CourseProductTag,
        blank=True,
        related_name="product_courses",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldPanel("estimated_minutes"),
        FieldPanel("lecturers"),
        MultiFieldPanel([FieldPanel("topic_tags"), FieldPanel("product_tags")], heading=_("标签")),
    ]
    audience_panels = [
        FieldPanel("owning_company"),
        FieldPanel("audience_companies", widget=forms.CheckboxSelectMultiple),
        FieldPanel("audience_channels"),
        FieldPanel("completion_rule"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("课程内容")),
            ObjectList(audience_panels, heading=_("受众与完成条件")),
            ObjectList(Page.promote_panels, heading=_("推广")),
            ObjectList(Page.settings_panels, heading=_("设置")),
        ]
    )
    base_form_class = CoursePageForm
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.RelatedFields("topic_tags", [index.SearchField("name")]),
        index.RelatedFields("product_tags", [index.SearchField("name")]),
        index.FilterField("owning_company"),
    ]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")

    def serve(self, request, *args, **kwargs):
        from ..selectors import course_header

        user = request.user
        person = getattr(user, "person", None)
        # The page's header row answers the rule's own case (an active person in the audience or
        # enrolled) without a query of its own; anyone else (an editor) goes by the rule.
        header = course_header(course=self, person=person)
        studying = user.is_active and person is not None and person.is_active and header.is_open
        # Outside the audience a course does not exist, as far as that person can tell.
        if not studying and not user.has_perm("courses.view_course", self):
            raise Http404
        return super().serve(request, *args, header=header, **kwargs)

    def route(self, request, path_components):
        if path_components:
            return route_to_child(self, LessonPage, request, path_components)
        return super().route(request, path_components)

    def get_context(self, request, *args, header=None, **kwargs):
        from ..selectors import course_outline

        context = super().get_context(request, *args, **kwargs)
        person = getattr(request.user, "person", None)
        context["outline"] = course_outline(
            course=self,
            person=person,
            preview=getattr(request, "is_preview", False),
            course_url=self.get_url(request),
            header=header,
        )
        return context

    def permissions_for_user(self, user):
        return CompanyPagePermissionTester(user, self, company_id=self.owning_company_id)

    @property
    def audience_channels(self) -> list[str]:
        return [row.channel for row in self.audience_channel_rows.all()]

    @property
    def cross_selling_pairs(self) -> list[str]:
        """E.g. ["产代寿"] for a life course whose audience is P&C agents; empty when the course is
        for its own company's people only."""
        return cross_selling_labels(self.owning_company, self.audience_companies.all())


class LessonPage(Page):
    required = models.BooleanField(
        _("必修"), default=True, help_text=_("必修课时计入课程完成条件；选修课时不计入。")
    )
    estimated_minutes = models.PositiveIntegerField(
        _("预计学习时长（分钟）"), null=True, blank=True
    )
    body = StreamField(
        [
            (
                "rich_text",
                blocks.RichTextBlock(
                    label=_("正文"),
                    features=RICH_TEXT_FEATURES,
                    template="blocks/rich_text_block.html",
                ),
            ),
            ("heading", HeadingBlock()),
            ("video", VideoBlock()),
            ("audio", AudioBlock()),
            ("document", DocumentBlock()),
            ("image", ImageBlock()),
            ("key_points", KeyPointsBlock()),
        ],
        verbose_name=_("课时内容"),
        help_text=_("第一个视频或音频用于记录学习进度；没有音视频的课时由学员自行标记完成。"),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("required"),
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("课时")
        verbose_name_plural = _("课时")

    def serve(self, request, *args, **kwargs):
        if not request.user.has_perm("courses.study_lesson", self):
            raise Http404
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from ..selectors import lesson_for_study

        context = super().get_context(request, *args, **kwargs)
        person = getattr(request.user, "person", None)
        context["study"] = lesson_for_study(lesson=self, person=person)
        return context

    def permissions_for_user(self, user):
        return CompanyPagePermissionTester(user, self, company_id=self.course_company_id)

    @cached_property
    def course_company_id(self) -> int | None:
        if "course" in self.__dict__:
            return self.course.owning_company_id
        parent_path = self.path[: -self.steplen]
        return (
            CoursePage.objects.filter(path=parent_path)
            .values_list("owning_company_id", flat=True)
            .first()
        )

    @cached_property
    def course(self) -> "CoursePage":
        parent = getattr(self, "_cached_parent_obj", None)
        if isinstance(parent, CoursePage):
            # Routed through the course: ``CoursePage.route`` already loaded it.
            return parent
        return CoursePage.objects.get(path=self.path[: -self.steplen])

    @property
    def kind(self) -> str:
        """Media when the body has a video or an audio block: read from the raw body, no query."""
        if any(block["type"] in MEDIA_BLOCK_TYPES for block in self.body.raw_data):
            return LessonKind.MEDIA
        return LessonKind.TEXT

    @property
    def tracked_media(self):
        """The media whose watched share completes the lesson: the body's first video or audio."""
        for block in self.body:
            if block.block_type in MEDIA_BLOCK_TYPES:
                return VideoBlock.media_of(block.value)
        return None


class MorningMeetingIndexPage(Page):
    """The morning-meeting series (晨会): one page per meeting beneath it."""

    intro = RichTextField(_("简介"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.MorningMeetingPage"]
    max_count = 1

    class Meta:
        verbose_name = _("晨会栏目")
        verbose_name_plural = _("晨会栏目")

    def permissions_for_user(self, user):
        return SectionPagePermissionTester(user, self)

    def get_context(self, request, *args, **kwargs):
        from ..selectors import morning_meetings_for_person

        context = super().get_context(request, *args, **kwargs)
        person = getattr(request.user, "person", None)
        meetings = morning_meetings_for_person(person=person) if person else []
        # ``get_page`` turns a missing or wrong ``?page=`` into the first or the last page.
        context["meetings"] = Paginator(meetings, MEETINGS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        return context


class MorningMeetingPage(Page):
    meeting_date = models.DateField(_("晨会日期"))
    company = models.ForeignKey(
        "organization.OrgUnit",
        verbose_name=_("公司"),
        help_text=_("哪家公司的晨会；留空表示全集团通用。"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=COMPANY_CHOICES,
        related_name="morning_meetings",
    )
    topic = models.CharField(_("主题"), max_length=200)
    video = models.ForeignKey(
        "media_library.TrainingMedia",
        verbose_name=_("晨会录像"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    key_points = models.TextField(_("要点"), blank=True, help_text=_("每行一条要点。"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("meeting_date"),
        FieldPanel("company"),
        FieldPanel("topic"),
        FieldPanel("video"),
        FieldPanel("key_points"),
    ]
    base_form_class = MorningMeetingPageForm
    search_fields = [
        *Page.search_fields,
        index.SearchField("topic"),
        index.SearchField("key_points"),
        index.FilterField("meeting_date"),
        index.FilterField("company"),
    ]
    parent_page_types = ["courses.MorningMeetingIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("晨会")
        verbose_name_plural = _("晨会")

    def serve(self, request, *args, **kwargs):
        if not request.user.has_perm("courses.view_morning_meeting", self):
            raise Http404
        return super().serve(request, *args, **kwargs)

    def permissions_for_user(self, user):
        return CompanyPagePermissionTester(user, self, company_id=self.company_id)

    @property
    def key_point_list(self) -> list[str]:
        return [line.strip() for line in self.key_points.splitlines() if line.strip()]
