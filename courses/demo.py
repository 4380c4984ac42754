"""Demo courses, morning meetings and learning records for ``manage.py load_demo``.

The courses are built from the group's cross-selling rules (``demo_content/``, chapters 4–9): one
lesson per article (第N条) with the article's text and a key-points callout, so every article of
the seed is in some lesson. The training course and the morning meetings carry real clips made
with ffmpeg (``media_library.demo``). Then the demo coordinator assigns three courses (one a week
overdue) to 人保财险广东's agents and some of them, agent01 among them, study: lessons marked
done, a video partly watched. Some agents had completed two of the courses on their own over the
months before (most of the overdue one's audience), so the reports have a trend to draw.

Idempotent like the organization's step: pages are looked up by slug, clips by kind and title
(ffmpeg runs only for a clip that does not exist yet), assignments by course and audience, and
a learner who has any progress in the demo courses is left alone. A run on a later day adds that
day's morning meeting.
"""

import dataclasses
import functools
import operator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

from django.conf import settings
from django.db.models import BooleanField, Case, Exists, ExpressionWrapper, OuterRef, Q, When
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from media_library.demo import generate_demo_clip
from media_library.models import MediaKind, TrainingMedia
from organization.demo import DemoContext
from organization.models import Channel, Person, Role

from .models import (
    Assignment,
    CourseAudienceChannel,
    CourseIndexPage,
    CoursePage,
    Enrollment,
    LessonPage,
    MorningMeetingIndexPage,
    MorningMeetingPage,
)
from .seed import Article, seed_articles
from .services import (
    assignment_create,
    assignment_update,
    enrollment_complete,
    lesson_mark_done,
    progress_record_heartbeat,
)

KEY_POINTS_TITLE = "本课要点"
MINUTES_PER_ARTICLE = 5


# A short title and the key points of each article: the lecturers' reading of the rules.
ARTICLE_NOTES: dict[str, tuple[str, tuple[str, ...]]] = {
    "第十五条": (
        "产品工作协调机制",
        (
            "集团建立交叉销售产品工作协调机制，整合系统产品研发资源。",
            "子公司产品开发资源共享、沟通合作，形成设计开发与分析研究合力。",
            "目标：提升产品的渠道适销性和市场竞争力。",
        ),
    ),
    "第十六条": (
        "产品工作协调小组",
        (
            "由集团业务发展部与人保财险、人保寿险、人保健康各指定一名责任人组成。",
            "负责交叉销售产品相关工作的组织、协调和实施。",
            "根据工作需要及时调整补充人员。",
        ),
    ),
    "第十七条": (
        "产品开发联席会议",
        (
            "协调小组不定期召开联席会议，确定年度交叉销售产品策略。",
            "按渠道特点确定重点推介产品或开发新产品，制定包装和宣传推广方案。",
            "根据市场、客户变化及时调整产品策略。",
        ),
    ),
    "第十八条": (
        "重点产品的投放与需求反馈",
        (
            "子公司交叉销售管理部门组织实施重点产品的综合投放和销售。",
            "及时向协调小组反馈市场和客户的产品需求信息。",
        ),
    ),
    "第十九条": (
        "综合培训体系",
        (
            "集团推动系统培训资源的有效配置和充分利用。",
            "构建集团、子公司及其分支机构协同互动的综合培训体系。",
            "目标：不断提高销售人员的综合销售技能。",
        ),
    ),
    "第二十条": (
        "营销培训讲师团与培训载体",
        (
            "集团组建中国人保营销培训讲师团。",
            "统一的培训教材、授课光盘、讲课录音和晨会录像是培训载体。",
            "指导子公司面向基层业务人员开展代理业务培训和转培训。",
        ),
    ),
    "第二十一条": (
        "培训岗位与专职讲师",
        (
            "子公司及分支机构明确专职或兼职的培训部门和岗位。",
            "负责本系统或地区培训工作计划的制定、组织和实施。",
            "地市及以下机构配备专职交叉销售培训讲师，为对方公司做培训辅导。",
        ),
    ),
    "第二十二条": (
        "交叉销售统计系统",
        (
            "集团开发并不断完善交叉销售统计系统。",
            "及时汇总业务数据，为集团决策提供数据支持。",
        ),
    ),
    "第二十三条": (
        "统一的客户数据平台",
        ("集团建立统一的客户数据平台，支持与促进交叉销售业务开展。",),
    ),
    "第二十四条": (
        "交叉销售总收入",
        (
            "交叉销售形成的各类收入记为交叉销售总收入。",
            "相互代理、联合展业、渠道共享、互动部形成的保费收入记为交叉销售保费收入。",
            "联合展业、业务协同形成的企业年金等非保费收入记为交叉销售其他收入。",
        ),
    ),
    "第二十五条": (
        "保费收入的认定原则",
        (
            "业务协同原则：严禁集团内部恶性竞争，不争抢其他子公司原承保业务的续保。",
            "相互认同原则：收入确认以合作各方协商一致、相互认同为基础。",
            "系统记录原则：未进入集团交叉销售统计系统的，原则上不认定。",
        ),
    ),
    "第二十六条": (
        "纳入统计口径的规则",
        (
            "相互代理：首期、续期（续保）保费全额确认。",
            "联合展业：协助成功销售的全额确认为协同公司收入；共同展业各方协商，合计不超过实际保费。",
            "渠道共享：兼业代理渠道和网络、电话渠道全额确认；共同开拓的新渠道协商确定比例。",
            "互动部模式：寿险、健康险业务确认为产代寿、产代健，财险业务确认为寿代产、健代产。",
        ),
    ),
    "第二十七条": (
        "统一报送业务数据",
        (
            "按集团交叉销售业务口径，统一使用统计系统报送数据。",
            "确保数据真实、准确、完整和及时。",
        ),
    ),
    "第二十八条": (
        "与承保、理赔、客服流程的衔接",
        (
            "展业、取送保单、保费收取由代理方负责，其他业务操作由承保公司负责。",
            "理赔由承保公司负责，不进行交叉。",
            "经承保公司同意，代理方可配合现场查勘或客户联络。",
        ),
    ),
    "第二十九条": (
        "费用分摊与利益共享",
        (
            "合署办公、联合展业等互动方式要有合理的费用分摊和利益共享机制。",
            "明确职场、设备的有偿使用原则和费用结算标准。",
        ),
    ),
    "第三十条": (
        "佣金与手续费结算",
        (
            "结算以保证销售人员的利益为原则。",
            "同类业务给予同等业务条件和同等待遇，并及时兑现。",
        ),
    ),
    "第三十一条": (
        "业务通报与督导",
        ("集团定期通报交叉销售业务信息。", "子公司通过适当方式加强业务督导。"),
    ),
    "第三十二条": (
        "监管沟通与关键环节的风险防范",
        (
            "主动与监管部门沟通，遵守监管政策和法律法规。",
            "重视经营资质、财务结算、单证管理、现金管理、费用划转等环节的风险。",
        ),
    ),
    "第三十三条": (
        "定期风险检查",
        ("集团与子公司定期检查交叉销售风险状况。", "识别关键风险因素，及时防范和化解风险。"),
    ),
    "第三十四条": (
        "防范和杜绝销售误导",
        (
            "加强对交叉销售人员的教育和管理。",
            "遵守法律法规、监管要求和各相关子公司的管理规定。",
            "防范和杜绝销售误导行为。",
        ),
    ),
    "第三十五条": (
        "集团品牌的一致性",
        (
            "保持服务界面、广告宣传、外部展示、产品外观等方面的一致性。",
            "增强客户对中国人保品牌的整体认知。",
        ),
    ),
    "第三十六条": (
        "业务计划指标与考核",
        (
            "年初制定交叉销售业务计划指标，纳入集团全面预算管理。",
            "按照统一的全面预算管理考核办法进行考核。",
        ),
    ),
}


@dataclass(frozen=True)
class ClipSpec:
    kind: str
    seconds: int
    title: str

    @property
    def length(self) -> int:
        """``settings.DEMO_CLIP_SECONDS`` (tests keep clips short) or the clip's own length."""
        return getattr(settings, "DEMO_CLIP_SECONDS", None) or self.seconds


@dataclass(frozen=True)
class MediaLessonSpec:
    slug: str
    title: str
    clip: ClipSpec
    text: str
    points: tuple[str, ...]


@dataclass(frozen=True)
class CourseSpec:
    slug: str
    title: str
    owner: str  # company unit code
    audience: tuple[str, ...]
    channels: tuple[str, ...]
    summary: str
    topics: tuple[str, ...]
    products: tuple[str, ...]
    lessons: tuple[str | MediaLessonSpec, ...]  # article labels or media lessons


ALL_CHANNELS = tuple(Channel.values)
TRAINING_VIDEO = MediaLessonSpec(
    slug="video-training-system",
    title="授课光盘：中国人保交叉销售综合培训体系",
    clip=ClipSpec(MediaKind.LECTURE_DISC, 20, "授课光盘：交叉销售综合培训体系"),
    text=(
        "<p>本片结合第十九条、第二十条，讲解集团公司、子公司及其分支机构协同互动的综合培训体系，"
        "以及统一培训教材、授课光盘、讲课录音和晨会录像四类培训载体。</p>"
    ),
    points=(
        "培训体系由集团公司、子公司及其分支机构协同互动构成。",
        "四类培训载体：统一培训教材、授课光盘、讲课录音、晨会录像。",
    ),
)
TRAINING_AUDIO = MediaLessonSpec(
    slug="audio-full-time-lecturer",
    title="讲课录音：专职交叉销售培训讲师的职责",
    clip=ClipSpec(MediaKind.LECTURE_RECORDING, 15, "讲课录音：专职交叉销售培训讲师的职责"),
    text=(
        "<p>讲师团成员结合第二十一条，谈地市及以下机构的专职交叉销售培训讲师"
        "如何为对方公司做业务培训辅导。</p>"
    ),
    points=(
        "地市及以下机构应配备专职交叉销售培训讲师。",
        "讲师负责本公司对对方公司进行交叉销售业务培训辅导。",
    ),
)
STATISTICS_SLUG = "premium-income-statistics"
TRAINING_SLUG = "training-management"
PRODUCTS_SLUG = "product-management"
COMPLIANCE_SLUG = "risk-and-compliance"
COURSES = (
    CourseSpec(
        slug=STATISTICS_SLUG,
        title="交叉销售保费收入统计口径",
        owner="P",
        audience=("P", "L", "H"),
        channels=ALL_CHANNELS,
        summary=(
            "逐条学习《交叉销售管理办法》第七章业务管理：交叉销售总收入与保费收入的认定原则，"
            "相互代理、联合展业、渠道共享、互动部模式的统计口径，以及数据报送、流程衔接和费用结算。"
        ),
        topics=("统计口径", "业务管理"),
        products=("财产险", "寿险", "健康险"),
        lessons=(
            "第二十四条",
            "第二十五条",
            "第二十六条",
            "第二十七条",
            "第二十八条",
            "第二十九条",
            "第三十条",
            "第三十一条",
        ),
    ),
    CourseSpec(
        slug=TRAINING_SLUG,
        title="交叉销售培训管理",
        owner="L",
        audience=("P", "L"),
        channels=ALL_CHANNELS,
        summary=(
            "第五章培训管理：综合培训体系、营销培训讲师团与培训载体、专职交叉销售培训讲师，"
            "配授课光盘和讲课录音。"
        ),
        topics=("培训管理",),
        products=("寿险",),
        lessons=(TRAINING_VIDEO, "第十九条", "第二十条", "第二十一条", TRAINING_AUDIO),
    ),
    CourseSpec(
        slug=PRODUCTS_SLUG,
        title="交叉销售产品管理",
        owner="H",
        audience=("P", "H"),
        channels=ALL_CHANNELS,
        summary="第四章产品管理：产品工作协调机制与协调小组、产品开发联席会议、重点产品的投放。",
        topics=("产品管理",),
        products=("健康险",),
        lessons=("第十五条", "第十六条", "第十七条", "第十八条"),
    ),
    CourseSpec(
        slug=COMPLIANCE_SLUG,
        title="风险防范与合规",
        owner="P",
        audience=("P", "L", "H"),
        channels=ALL_CHANNELS,
        summary=(
            "第八章风险防范：监管沟通与关键环节的风险、定期风险检查、防范和杜绝销售误导、"
            "集团品牌的一致性。"
        ),
        topics=("风险防范", "合规", "销售误导"),
        products=("财产险",),
        lessons=("第三十二条", "第三十三条", "第三十四条", "第三十五条"),
    ),
    CourseSpec(
        slug="it-support-and-assessment",
        title="信息技术支持与业绩考核",
        owner="L",
        audience=("L", "H"),
        channels=(Channel.EMPLOYEE, Channel.INTERACTION),
        summary="第六章信息技术支持与第九章业绩考核：交叉销售统计系统、客户数据平台、计划指标与考核。",
        topics=("信息技术", "业绩考核"),
        products=("寿险", "健康险"),
        lessons=("第二十二条", "第二十三条", "第三十六条"),
    ),
)

# The morning meetings of 人保财险: a topic per weekday (Monday's on a weekend), so the first
# run's five meetings use all five topics and a later run needs no new clip.
MEETING_COMPANY = "P"
MEETING_DAYS = 5
MEETING_CLIP_SECONDS = 10
MEETING_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "相互代理：首期和续期保费全额确认",
        (
            "代理销售对方公司产品形成的首期、续期（续保）保费全额确认为交叉销售保费收入。",
            "数据统一通过交叉销售统计系统报送，未进系统的原则上不认定。",
        ),
    ),
    (
        "联合展业：提供重要信息也算业绩",
        (
            "协助对方公司展业并成功销售的，全额确认为协同公司的交叉销售保费收入。",
            "共同展业由各方协商确认，合计不超过实际保费收入之和。",
        ),
    ),
    (
        "互动部模式：产代寿、产代健的业绩归属",
        (
            "互动部人员销售的寿险、健康险业务确认为产代寿或产代健业务。",
            "销售的财险业务确认为寿代产或健代产业务。",
        ),
    ),
    (
        "续保不争抢：业务协同原则",
        (
            "对其他子公司原承保业务的续保，不以承保公司或代理公司的身份开展竞争。",
            "两家或三家子公司均可经营的领域，不进行内部恶性竞争。",
        ),
    ),
    (
        "讲清责任免除，杜绝销售误导",
        (
            "向客户如实说明保险责任和责任免除，不夸大收益。",
            "遵守本公司及相关子公司的管理规定，防范和杜绝销售误导行为。",
        ),
    ),
)

# Learning records: 人保财险广东's individual agents get two mandatory courses from coord01, and
# a third one already a week overdue (so the reports have overdue people to show and remind).
ASSIGNMENTS = ((STATISTICS_SLUG, 14), (COMPLIANCE_SLUG, 30), (PRODUCTS_SLUG, -7))
ASSIGNMENT_ROOT = "P-GD"
DEMO_AGENT = "agent01"
# Share of the audience who completed a course by themselves before it was assigned, on days
# spread over the ``SELF_STUDY_SPAN`` days before ``SELF_STUDY_RECENT_DAYS`` ago (so before the
# overdue course's due date).
SELF_STUDY_SHARE = {PRODUCTS_SLUG: 0.6, COMPLIANCE_SLUG: 0.3}
SELF_STUDY_RECENT_DAYS = 10
SELF_STUDY_SPAN = 170
SELF_STUDY_DAYS_APART = 23
LEARNERS = 24  # other 人保财险广东 agents with progress in the statistics course
AGENT_STATISTICS_LESSONS = 2  # and all of the products course, and part of the training video
AGENT_WATCHED_SHARE = 0.4


def load_courses(context: DemoContext) -> None:
    """The demo step: courses, morning meetings, assignments and progress, each if missing.

    A run that finds everything in place costs two queries (``_all_loaded``)."""
    clips: dict[ClipSpec, TrainingMedia] = {}
    created = dict.fromkeys(("courses", "lessons", "meetings", "assignments", "learners"), 0)
    learners = _learners(context)
    if not _all_loaded(learners):
        courses, created["courses"], created["lessons"] = _ensure_courses(context, clips)
        created["meetings"] = _ensure_morning_meetings(context, clips)
        created["assignments"] = _ensure_assignments(context, courses)
        created["learners"] = _ensure_progress(context, courses, learners)
    context.log(
        _(
            "课程与晨会：新建课程 %(courses)d/%(all_courses)d 门，课时 %(lessons)d 个，"
            "晨会 %(meetings)d 场，音视频 %(clips)d 个，必修指派 %(assignments)d 条，"
            "学习记录 %(learners)d 人。"
        )
        % {**created, "all_courses": len(COURSES), "clips": len(clips)}
    )
    _describe_logins(context)


def _expected_pages(today: date) -> set[tuple[str, ...]]:
    """The last one or two slugs of every demo page's URL path: (course,), (course, lesson) and
    (meeting,)."""
    expected: set[tuple[str, ...]] = set()
    for spec in COURSES:
        expected.add((spec.slug,))
        expected.update((spec.slug, _lesson_slug(item)) for item in spec.lessons)
    expected.update((meeting_slug(day),) for day in meeting_dates(today))
    return expected


def _all_loaded(learners: list[Person]) -> bool:
    """Every demo page exists, both assignments exist and every learner has studied. One query
    here (the learners were read with their state)."""
    if not all(learner.both_assigned for learner in learners[:1]):
        return False
    if any(not learner.started for learner in learners if _planned_lessons(learners, learner)):
        return False
    found: set[tuple[str, ...]] = set()
    for url_path in Page.objects.type(CoursePage, LessonPage, MorningMeetingPage).values_list(
        "url_path", flat=True
    ):
        slugs = tuple(url_path.strip("/").split("/"))
        found.update({slugs[-1:], slugs[-2:]})
    return _expected_pages(timezone.localdate()) <= found


def _learners(context: DemoContext) -> list[Person]:
    """agent01, then ``LEARNERS`` other individual agents of 人保财险广东, each annotated with
    ``started`` (studied a demo course) and ``both_assigned`` (the demo assignments exist)."""
    agent = context.demo_people[Role.AGENT]
    started = Enrollment.objects.filter(
        person=OuterRef("pk"),
        course__slug__in=[spec.slug for spec in COURSES],
        started_at__isnull=False,
    )
    root = context.units[ASSIGNMENT_ROOT]
    both_assigned = ExpressionWrapper(
        functools.reduce(
            operator.and_,
            (
                Q(Exists(Assignment.objects.filter(audience_root=root, course__slug=slug)))
                for slug, _days in ASSIGNMENTS
            ),
        ),
        output_field=BooleanField(),
    )
    others = _other_agents(context).values("pk")[:LEARNERS]
    return list(
        Person.objects.filter(Q(pk=agent.pk) | Q(pk__in=others))
        .select_related("org_unit")
        .annotate(started=Exists(started), both_assigned=both_assigned)
        .order_by(Case(When(pk=agent.pk, then=0), default=1), "employee_no")
    )


def _other_agents(context: DemoContext):
    """The individual agents of 人保财险广东 (the assignments' audience) but agent01, in order."""
    return (
        Person.objects.active()
        .with_role(Role.AGENT)
        .filter(
            org_unit__path__startswith=context.units[ASSIGNMENT_ROOT].path,
            channel=Channel.AGENT_FORCE,
        )
        .exclude(pk=context.demo_people[Role.AGENT].pk)
        .order_by("employee_no")
    )


def _planned_lessons(learners: list[Person], learner: Person) -> int:
    """How many statistics lessons a learner marks done: agent01 its own plan, the others from
    none to all of them in turn."""
    position = learners.index(learner)
    if position == 0:
        return AGENT_STATISTICS_LESSONS
    return (position - 1) % (len(_statistics_lessons()) + 1)


def _statistics_lessons() -> tuple[str, ...]:
    return next(spec.lessons for spec in COURSES if spec.slug == STATISTICS_SLUG)


def _clip(spec: ClipSpec, clips: dict[ClipSpec, TrainingMedia], tags: tuple[str, ...]):
    """The clip titled ``spec.title``, generated with ffmpeg only when it does not exist yet."""
    media = TrainingMedia.objects.filter(kind=spec.kind, title=spec.title).order_by("pk").first()
    if media is None:
        media = generate_demo_clip(spec.kind, spec.length, spec.title, tags=("演示", *tags))
        clips[spec] = media
    return media


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _article_body(article: Article) -> list:
    _title, points = ARTICLE_NOTES[article.label]
    return [
        ("rich_text", f"<p><b>{article.label}</b> {escape(article.text)}</p>"),
        ("key_points", {"title": KEY_POINTS_TITLE, "points": list(points)}),
    ]


def _lesson_page(item: str | MediaLessonSpec, clips, spec: CourseSpec) -> LessonPage:
    if isinstance(item, MediaLessonSpec):
        media = _clip(item.clip, clips, spec.topics)
        block = "audio" if item.clip.kind == MediaKind.LECTURE_RECORDING else "video"
        return LessonPage(
            title=item.title,
            slug=item.slug,
            required=True,
            estimated_minutes=max(item.clip.length // 60, 1),
            body=[
                (block, media),
                ("rich_text", item.text),
                ("key_points", {"title": KEY_POINTS_TITLE, "points": list(item.points)}),
            ],
        )
    article = seed_articles()[item]
    title, _points = ARTICLE_NOTES[item]
    return LessonPage(
        title=f"{article.label} {title}",
        slug=f"article-{article.number}",
        required=True,
        estimated_minutes=MINUTES_PER_ARTICLE,
        body=_article_body(article),
    )


def _lesson_slug(item: str | MediaLessonSpec) -> str:
    if isinstance(item, MediaLessonSpec):
        return item.slug
    return f"article-{seed_articles()[item].number}"


def _ensure_courses(context: DemoContext, clips) -> tuple[dict[str, CoursePage], int, int]:
    index = CourseIndexPage.objects.get()
    courses = {course.slug: course for course in CoursePage.objects.child_of(index)}
    lesson_slugs: dict[str, set[str]] = {}
    for path, slug in LessonPage.objects.descendant_of(index).values_list("path", "slug"):
        lesson_slugs.setdefault(path[: -LessonPage.steplen], set()).add(slug)
    lecturers = _lecturers_by_company(context)
    created_courses = created_lessons = 0
    for spec in COURSES:
        course = courses.get(spec.slug)
        if course is None:
            course = CoursePage(
                title=spec.title,
                slug=spec.slug,
                owning_company=context.units[spec.owner],
                summary=spec.summary,
                estimated_minutes=len(spec.lessons) * MINUTES_PER_ARTICLE,
            )
            course.audience_companies = [context.units[code] for code in spec.audience]
            course.audience_channel_rows = [
                CourseAudienceChannel(channel=channel) for channel in spec.channels
            ]
            course.lecturers = lecturers.get(spec.owner, [])
            course.topic_tags.add(*spec.topics)
            course.product_tags.add(*spec.products)
            courses[spec.slug] = _publish(index, course)
            created_courses += 1
        present = lesson_slugs.get(course.path, set())
        for item in spec.lessons:
            if _lesson_slug(item) not in present:
                _publish(course, _lesson_page(item, clips, spec))
                created_lessons += 1
    return courses, created_courses, created_lessons


def _lecturers_by_company(context: DemoContext) -> dict[str, list[Person]]:
    """The demo lecturer for 人保寿险 and the first 广州 lecturer of each other company."""
    lecturers: dict[str, list[Person]] = {"L": [context.demo_people[Role.LECTURER]]}
    for company in ("P", "H"):
        unit = context.units[f"{company}-GD-GZ"]
        first = Person.objects.with_role(Role.LECTURER).filter(org_unit=unit).order_by("pk")[:1]
        lecturers[company] = list(first)
    return lecturers


def meeting_dates(today: date) -> list[date]:
    """Today and the weekdays before it, ``MEETING_DAYS`` in all, oldest first."""
    dates, day = [today], today
    while len(dates) < MEETING_DAYS:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            dates.append(day)
    return dates[::-1]


def meeting_slug(day: date) -> str:
    return f"{MEETING_COMPANY.lower()}-{day.isoformat()}"


def _ensure_morning_meetings(context: DemoContext, clips) -> int:
    index = MorningMeetingIndexPage.objects.get()
    existing = set(MorningMeetingPage.objects.child_of(index).values_list("slug", flat=True))
    company = context.units[MEETING_COMPANY]
    created = 0
    for day in meeting_dates(timezone.localdate()):
        slug = meeting_slug(day)
        if slug in existing:
            continue
        topic, points = MEETING_TOPICS[day.weekday() if day.weekday() < 5 else 0]
        clip = ClipSpec(MediaKind.MORNING_MEETING, MEETING_CLIP_SECONDS, f"晨会录像：{topic}")
        meeting = MorningMeetingPage(
            title=f"{company.name}{day.month}月{day.day}日晨会：{topic}",
            slug=slug,
            meeting_date=day,
            company=company,
            topic=topic,
            video=_clip(clip, clips, ("晨会",)),
            key_points="\n".join(points),
        )
        _publish(index, meeting)
        created += 1
    return created


def _ensure_assignments(context: DemoContext, courses: dict[str, CoursePage]) -> int:
    coordinator = context.demo_people[Role.COORDINATOR]
    root = context.units[ASSIGNMENT_ROOT]
    assigned = set(
        Assignment.objects.filter(audience_root=root, course__in=courses.values()).values_list(
            "course_id", flat=True
        )
    )
    created = 0
    for slug, days in ASSIGNMENTS:
        course = courses[slug]
        if course.pk in assigned:
            continue
        _study_before_assignment(context, course)
        today = timezone.localdate()
        due_date = today + timedelta(days=days)
        audience = {
            "audience_root": root,
            "companies": [context.units[MEETING_COMPANY]],
            "channels": [Channel.AGENT_FORCE],
            "roles": [Role.AGENT],
        }
        assignment = assignment_create(
            user=coordinator.user, course=course, due_date=max(due_date, today), **audience
        )
        if due_date < today:  # a past due date is refused at creation: edited afterwards
            assignment_update(
                user=coordinator.user, assignment=assignment, due_date=due_date, **audience
            )
        created += 1
    return created


def _study_before_assignment(context: DemoContext, course: CoursePage) -> None:
    """Some agents completed ``course`` on their own before it was assigned (the assignment then
    takes their enrolment over), one every few days over the last months: the reports' trend
    has months of history, and the overdue assignment a realistic share done."""
    share = SELF_STUDY_SHARE.get(course.slug, 0)
    now = timezone.now()
    for index, person in enumerate(_other_agents(context).select_related("org_unit")):
        if int((index + 1) * share) > int(index * share):
            days_ago = SELF_STUDY_RECENT_DAYS + index * SELF_STUDY_DAYS_APART % SELF_STUDY_SPAN
            enrollment_complete(
                person=person, course=course, at=now - timedelta(days=days_ago, hours=index % 9)
            )


def _ensure_progress(
    context: DemoContext, courses: dict[str, CoursePage], learners: list[Person]
) -> int:
    """agent01 studies three courses; the other learners part of the statistics course. Anyone
    who has already studied a demo course is left alone. Returns how many people studied."""
    lessons = {
        slug: list(LessonPage.objects.live().child_of(courses[slug]))
        for slug in (STATISTICS_SLUG, TRAINING_SLUG, PRODUCTS_SLUG)
    }
    now = timezone.now()
    studied = 0
    for learner in learners:
        planned = _planned_lessons(learners, learner)
        if learner.started or not planned:
            continue
        if learner.employee_no == DEMO_AGENT:
            _mark_done(learner, lessons[STATISTICS_SLUG][:AGENT_STATISTICS_LESSONS], now)
            _mark_done(learner, lessons[PRODUCTS_SLUG], now - timedelta(days=1))
            video = next(lesson for lesson in lessons[TRAINING_SLUG] if lesson.tracked_media)
            _watch(learner, video, AGENT_WATCHED_SHARE, now - timedelta(hours=3))
        else:
            position = learners.index(learner)
            _mark_done(learner, lessons[STATISTICS_SLUG][:planned], now - timedelta(hours=position))
        studied += 1
    return studied


def _mark_done(person: Person, lessons: list[LessonPage], until: datetime) -> None:
    """Mark ``lessons`` done one a day, the last one at ``until``."""
    for step, lesson in enumerate(lessons):
        lesson_mark_done(
            person=person, lesson=lesson, at=until - timedelta(days=len(lessons) - 1 - step)
        )


def _watch(person: Person, lesson: LessonPage, share: float, start: datetime) -> None:
    """Play the lesson's media from the start to ``share`` of it, with a heartbeat every tenth."""
    duration = float(lesson.tracked_media.duration)
    step = duration / 10
    for beat in range(round(share * 10)):
        progress_record_heartbeat(
            person=person,
            lesson=lesson,
            ranges=[[beat * step, (beat + 1) * step]],
            position=(beat + 1) * step,
            at=start + timedelta(seconds=(beat + 1) * step),
        )


def _describe_logins(context: DemoContext) -> None:
    """Tell agent01 and coord01 what the demo left for them."""
    titles = {spec.slug: spec.title for spec in COURSES}
    notes = {
        context.demo_people[Role.AGENT].employee_no: _(
            "演示：必修《%(assigned)s》学习中，《%(video)s》的授课光盘看了一部分，"
            "《%(done)s》已完成；首页有今日晨会。"
        )
        % {
            "assigned": titles[STATISTICS_SLUG],
            "video": titles[TRAINING_SLUG],
            "done": titles[PRODUCTS_SLUG],
        },
        context.demo_people[Role.COORDINATOR].employee_no: _(
            "演示：已向广东个人代理指派必修《%(first)s》《%(second)s》。"
        )
        % {"first": titles[ASSIGNMENTS[0][0]], "second": titles[ASSIGNMENTS[1][0]]},
    }
    context.logins[:] = [
        dataclasses.replace(login, sees=f"{login.sees}{notes[login.username]}")
        if login.username in notes
        else login
        for login in context.logins
    ]
