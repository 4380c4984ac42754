"""Demo question bank and certification quizzes for ``manage.py load_demo``.

The bank is written from the group's cross-selling rules (``courses/demo_content/``, the seed
``cross_selling_rules_zh.md``): a category per chapter, in the bank of the company whose demo
course teaches that chapter, every question with an explanation citing its article. Then each
demo course with cross-selling pairs (``courses.demo``: all five) gets a certification quiz drawn
from its chapters' categories — four by random rules, the risk-and-compliance quiz from fixed
questions with partial credit on multiple choice — open to the course's audience companies.
Q3's step adds certifications to these quizzes (``DEMO_QUIZZES`` names them by course slug).

Idempotent: categories by (company, name), questions by fingerprint, quizzes by course.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from courses.demo import (
    COMPLIANCE_SLUG,
    PRODUCTS_SLUG,
    STATISTICS_SLUG,
    TRAINING_SLUG,
)
from courses.models import CoursePage
from organization.demo import DemoContext

from .bank_services import build_question, category_get_or_create, question_create
from .models import (
    Difficulty,
    MultipleScoring,
    Question,
    QuestionCategory,
    QuestionKind,
    Quiz,
    QuizQuestion,
    QuizRandomRule,
    ReviewPolicy,
)

IT_SLUG = "it-support-and-assessment"
EASY, MEDIUM, HARD = Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD
SOURCE = "《中国人保交叉销售管理办法》"


@dataclass(frozen=True)
class Q:
    """A demo question. ``key``: choices with the correct ones marked by a leading "*" (single
    and multiple), True/False (true/false) or the accepted answers (fill-in)."""

    kind: str
    stem: str
    key: object
    article: str
    explanation: str
    difficulty: int = MEDIUM
    tags: tuple[str, ...] = ()


def S(stem, choices, article, explanation, difficulty=MEDIUM, tags=()):
    return Q(QuestionKind.SINGLE, stem, choices, article, explanation, difficulty, tags)


def M(stem, choices, article, explanation, difficulty=MEDIUM, tags=()):
    return Q(QuestionKind.MULTIPLE, stem, choices, article, explanation, difficulty, tags)


def T(stem, is_true, article, explanation, difficulty=EASY, tags=()):
    return Q(QuestionKind.TRUE_FALSE, stem, is_true, article, explanation, difficulty, tags)


def F(stem, answers, article, explanation, difficulty=MEDIUM, tags=()):
    return Q(QuestionKind.FILL_BLANK, stem, answers, article, explanation, difficulty, tags)


@dataclass(frozen=True)
class CategorySpec:
    company: str  # unit code of the demo company
    name: str
    description: str
    questions: tuple[Q, ...] = field(default_factory=tuple)


PRODUCTS = CategorySpec(
    "H",
    "第四章 产品管理",
    "产品工作协调机制、协调小组、产品开发联席会议、重点产品的投放与需求反馈（第十五条至第十八条）。",
    (
        M(
            "集团公司组织建立交叉销售产品工作协调机制，是为了：",
            [
                "*推动系统产品研发资源的整合",
                "*加强相关子公司产品开发的资源共享和沟通合作",
                "*提升产品的渠道适销性和市场竞争力",
                "取消子公司各自的产品开发部门",
            ],
            "第十五条",
            "集团公司组织建立交叉销售产品工作协调机制，推动资源整合、加强资源共享和沟通合作，"
            "形成设计开发与分析研究合力，提升产品的渠道适销性和市场竞争力；并未取消子公司的产品开发。",
            MEDIUM,
            ("产品管理",),
        ),
        S(
            "交叉销售产品工作协调小组由哪些方面指定的责任人共同组成？",
            [
                "*集团公司业务发展部，以及人保财险、人保寿险、人保健康的交叉销售管理部门或产品开发部门",
                "仅由集团公司业务发展部的人员组成",
                "各省级分公司的销售部门负责人",
                "外聘的保险产品咨询机构",
            ],
            "第十六条",
            "协调小组由集团公司业务发展部，人保财险、人保寿险、人保健康交叉销售管理部门或产品开发部门"
            "分别指定一名责任人共同组成，负责交叉销售产品相关工作的组织、协调和实施。",
            MEDIUM,
            ("产品管理",),
        ),
        T(
            "交叉销售产品工作协调小组每月固定召开一次交叉销售产品开发联席会议。",
            False,
            "第十七条",
            "协调小组是“不定期”召开产品开发联席会议，并根据市场、客户变化及时调整产品策略。",
            EASY,
            ("产品管理",),
        ),
        M(
            "交叉销售产品开发联席会议的工作包括：",
            [
                "*确定年度交叉销售产品策略",
                "*根据渠道特点确定重点推介产品或开发新产品",
                "*制定产品包装和宣传推广方案",
                "*开展交叉销售产品的回顾、分析和评价",
                "审批各子公司的理赔案件",
            ],
            "第十七条",
            "联席会议确定年度产品策略、重点推介或新开发的产品，制定包装和宣传推广方案，"
            "并开展产品的回顾、分析和评价；理赔由承保公司负责，不是联席会议的工作。",
            HARD,
            ("产品管理",),
        ),
        F(
            "相关子公司交叉销售管理部门根据年度交叉销售产品策略，负责组织实施交叉销售_____的综合投放和销售工作。",
            ["重点产品"],
            "第十八条",
            "子公司交叉销售管理部门负责组织实施交叉销售重点产品的综合投放和销售工作。",
            MEDIUM,
            ("产品管理",),
        ),
        S(
            "市场和客户需求发生变化时，相关子公司应及时向谁反馈产品需求信息？",
            ["*交叉销售产品工作协调小组", "监管部门", "客户本人", "代理人所在营业网点"],
            "第十八条",
            "子公司根据市场和客户需求变化，及时向交叉销售产品工作协调小组反馈产品需求信息。",
            EASY,
            ("产品管理",),
        ),
    ),
)

TRAINING = CategorySpec(
    "L",
    "第五章 培训管理",
    "综合培训体系、营销培训讲师团与培训载体、专职交叉销售培训讲师（第十九条至第二十一条）。",
    (
        S(
            "中国人保交叉销售综合培训体系由哪些机构协同互动构成？",
            ["*集团公司、子公司及其分支机构", "仅集团公司", "仅各子公司总部", "外部培训机构"],
            "第十九条",
            "集团公司努力构建由集团公司、子公司及其分支机构协同互动的中国人保交叉销售综合培训体系。",
            EASY,
            ("培训管理",),
        ),
        S(
            "中国人保营销培训讲师团由谁组建？",
            ["*集团公司", "各子公司", "地市分公司", "营业网点"],
            "第二十条",
            "集团公司组建中国人保营销培训讲师团，并组织编制统一的培训载体。",
            EASY,
            ("培训管理",),
        ),
        M(
            "集团公司组织编制、作为培训载体的有：",
            ["*统一的培训教材", "*授课光盘", "*讲课录音", "*晨会录像", "客户满意度问卷"],
            "第二十条",
            "集团公司组织编制统一的培训教材、授课光盘、讲课录音和晨会录像，作为培训载体。",
            MEDIUM,
            ("培训管理", "培训载体"),
        ),
        T(
            "集团公司指导子公司开展面向基层业务人员的代理业务培训和转培训。",
            True,
            "第二十条",
            "第二十条规定集团公司指导子公司开展面向基层业务人员的代理业务培训和转培训。",
            EASY,
            ("培训管理",),
        ),
        T(
            "地市及以下机构应配备专职交叉销售培训讲师。",
            True,
            "第二十一条",
            "地市及以下机构应配备专职交叉销售培训讲师，负责本公司对对方公司进行交叉销售业务培训辅导。",
            EASY,
            ("培训管理", "产代寿"),
        ),
        F(
            "地市及以下机构的专职交叉销售培训讲师，负责本公司对_____进行交叉销售业务培训辅导。",
            ["对方公司"],
            "第二十一条",
            "专职交叉销售培训讲师负责本公司对对方公司进行交叉销售业务培训辅导。",
            HARD,
            ("培训管理", "产代寿"),
        ),
    ),
)

IT_SUPPORT = CategorySpec(
    "L",
    "第六章 信息技术支持",
    "交叉销售统计系统与统一的客户数据平台（第二十二条、第二十三条）。",
    (
        S(
            "谁负责开发并不断完善交叉销售统计系统？",
            ["*集团公司", "人保财险", "人保寿险", "人保健康"],
            "第二十二条",
            "集团公司负责开发并不断完善交叉销售统计系统，及时汇总交叉销售业务数据。",
            EASY,
            ("信息技术",),
        ),
        T(
            "交叉销售统计系统的作用之一，是为集团交叉销售工作决策提供数据支持。",
            True,
            "第二十二条",
            "统计系统及时汇总交叉销售业务数据，为集团交叉销售工作决策提供数据支持。",
            EASY,
            ("信息技术",),
        ),
        F(
            "集团公司建立统一的_____，支持与促进交叉销售业务的顺利开展。",
            ["客户数据平台"],
            "第二十三条",
            "第二十三条：集团公司建立统一的客户数据平台。",
            MEDIUM,
            ("信息技术",),
        ),
    ),
)

ASSESSMENT = CategorySpec(
    "L",
    "第九章 业绩考核",
    "交叉销售业务计划指标与全面预算管理考核（第三十六条）。",
    (
        S(
            "集团公司制定的交叉销售业务计划指标纳入什么管理？",
            ["*集团全面预算管理", "子公司年度人事考核", "监管报送管理", "代理人个人绩效管理"],
            "第三十六条",
            "集团公司将交叉销售业务计划指标纳入集团全面预算管理，按统一的全面预算管理考核办法考核。",
            MEDIUM,
            ("业绩考核",),
        ),
        T(
            "交叉销售业务计划指标由各子公司于年末自行制定。",
            False,
            "第三十六条",
            "计划指标由集团公司于年初制定，不是子公司年末自行制定。",
            EASY,
            ("业绩考核",),
        ),
    ),
)

BUSINESS = CategorySpec(
    "P",
    "第七章 业务管理",
    "交叉销售收入的构成、认定原则、统计口径、流程衔接与费用结算（第二十四条至第三十一条）。",
    (
        M(
            "下列哪些方式形成的保费收入记录为交叉销售保费收入？",
            ["*相互代理", "*联合展业", "*渠道共享", "*互动部", "企业年金业务协同"],
            "第二十四条",
            "相互代理、联合展业、渠道共享、互动部等方式形成的保费收入记录为交叉销售保费收入；"
            "企业年金等非保费收入记录为交叉销售其他收入。",
            MEDIUM,
            ("统计口径",),
        ),
        S(
            "通过联合展业、业务协同形成的企业年金等非保费收入，记录为：",
            ["*交叉销售其他收入", "交叉销售保费收入", "不计入交叉销售收入", "承保公司的营业外收入"],
            "第二十四条",
            "通过联合展业、业务协同形成的企业年金等其他非保费收入记录为交叉销售其他收入。",
            MEDIUM,
            ("统计口径",),
        ),
        M(
            "交叉销售保费收入的认定原则有：",
            ["*业务协同原则", "*相互认同原则", "*系统记录原则", "先到先得原则"],
            "第二十五条",
            "认定原则是业务协同原则、相互认同原则和系统记录原则。",
            MEDIUM,
            ("统计口径",),
        ),
        T(
            "未进入集团交叉销售统计系统的业务，原则上不认定为交叉销售收入。",
            True,
            "第二十五条",
            "系统记录原则：交叉销售收入最终记录在集团交叉销售统计系统中，未进入的原则上不认定。",
            EASY,
            ("统计口径",),
        ),
        S(
            "通过双方销售队伍相互代理形成的首期、续期（或续保）保费收入，如何确认？",
            ["*全额确认为交叉销售保费收入", "按50%确认", "只确认首期保费", "由代理人自行申报比例"],
            "第二十六条",
            "相互代理形成的首期、续期（或续保）保费收入，全额确认为交叉销售保费收入。",
            EASY,
            ("统计口径",),
        ),
        T(
            "共同展业时，各方合计确认的交叉销售保费收入可以超过实际保费收入之和。",
            False,
            "第二十六条",
            "各方协商确定各自的交叉销售保费收入，但合计不能超过实际保费收入之和。",
            MEDIUM,
            ("统计口径", "联合展业"),
        ),
        S(
            "通过网络、电话等渠道销售对方公司产品的，保费收入如何确认？",
            [
                "*全额确认为交叉销售保费收入",
                "不确认为交叉销售保费收入",
                "按双方协商的比例确认",
                "仅确认续期保费",
            ],
            "第二十六条",
            "渠道共享：通过网络、电话等渠道销售对方产品的，全额确认为交叉销售保费收入。",
            MEDIUM,
            ("统计口径", "渠道共享"),
        ),
        S(
            "通过互动部模式开展交叉销售，互动部人员销售的寿险业务确认为：",
            ["*产代寿业务", "寿代产业务", "健代产业务", "不属于交叉销售业务"],
            "第二十六条",
            "互动部人员销售的寿险或健康险业务全额确认为产代寿或产代健业务。",
            MEDIUM,
            ("统计口径", "产代寿", "互动部"),
        ),
        F(
            "互动部人员销售的财险业务，全额确认为交叉销售寿代产或_____业务。",
            ["健代产"],
            "第二十六条",
            "互动部人员销售的财险业务全额确认为交叉销售寿代产或健代产业务。",
            HARD,
            ("统计口径", "互动部"),
        ),
        S(
            "原则上，交叉销售的理赔工作由谁负责？",
            ["*承保公司", "代理方", "双方共同", "集团公司"],
            "第二十八条",
            "交叉销售的理赔工作由承保公司负责，不进行交叉；经承保公司同意，代理方可配合查勘或联络客户。",
            EASY,
            ("流程衔接",),
        ),
        M(
            "原则上由代理方负责的交叉销售环节有：",
            ["*展业", "*取送保单", "*保费收取", "理赔"],
            "第二十八条",
            "交叉销售的展业、取送保单、保费收取由代理方负责，其他业务操作事项和理赔由承保公司负责。",
            HARD,
            ("流程衔接",),
        ),
        T(
            "对其他子公司销售人员的同类业务销售，佣金/手续费须给予同等业务条件。",
            True,
            "第三十条",
            "佣金/手续费结算以保证销售人员利益为原则，同类业务给予同等业务条件和同等待遇并及时兑现。",
            EASY,
            ("费用结算",),
        ),
    ),
)

RISK = CategorySpec(
    "P",
    "第八章 风险防范",
    "监管沟通与关键环节的风险防范、风险检查、防范销售误导、品牌一致性（第三十二条至第三十五条）。",
    (
        S(
            "各级机构要主动加强与谁的沟通，确保交叉销售工作遵守监管政策和法律法规？",
            ["*监管部门", "同业竞争对手", "新闻媒体", "客户家属"],
            "第三十二条",
            "各级机构要主动加强与监管部门沟通，确保交叉销售工作遵守相关监管政策和法律法规。",
            EASY,
            ("风险防范",),
        ),
        M(
            "各级机构要高度重视哪些业务环节的风险防范？",
            ["*经营资质", "*财务结算", "*单证管理", "*现金管理", "*费用划转", "晨会签到"],
            "第三十二条",
            "要高度重视经营资质、财务结算、单证管理、现金管理、费用划转等业务环节的风险防范。",
            HARD,
            ("风险防范",),
        ),
        S(
            "由谁定期开展交叉销售风险状况的检查？",
            ["*集团公司与各子公司", "监管部门", "代理人本人", "客户"],
            "第三十三条",
            "集团公司与各子公司定期开展交叉销售风险状况的检查，识别关键风险因素。",
            EASY,
            ("风险防范",),
        ),
        T(
            "交叉销售人员只需遵守本公司的管理规定，不必遵守相关子公司的管理规定。",
            False,
            "第三十四条",
            "交叉销售人员要遵守本公司及相关子公司的管理规定，防范和杜绝销售误导行为。",
            MEDIUM,
            ("风险防范", "合规", "产代寿"),
        ),
        F(
            "相关子公司要加强对交叉销售人员的教育和管理，防范和杜绝_____行为。",
            ["销售误导"],
            "第三十四条",
            "第三十四条要求严格遵守法律法规和监管要求，防范和杜绝销售误导行为。",
            MEDIUM,
            ("风险防范", "销售误导"),
        ),
        M(
            "业务协作过程中，应努力保持集团各业务单元在哪些方面的一致性？",
            ["*服务界面", "*广告宣传", "*外部展示", "*产品外观", "佣金比例"],
            "第三十五条",
            "按照集团品牌管理要求，保持服务界面、广告宣传、外部展示、产品外观等方面的一致性。",
            MEDIUM,
            ("风险防范", "品牌"),
        ),
    ),
)

CATEGORIES = (PRODUCTS, TRAINING, IT_SUPPORT, ASSESSMENT, BUSINESS, RISK)


@dataclass(frozen=True)
class QuizSpec:
    course_slug: str
    draws: tuple[tuple[CategorySpec, int], ...] = ()  # random rules: (category, count)
    fixed: CategorySpec | None = None  # every question of the category, in order
    multiple_scoring: str = MultipleScoring.ALL_OR_NOTHING


# Course slug → the quiz certifying it.
DEMO_QUIZZES = (
    QuizSpec(STATISTICS_SLUG, draws=((BUSINESS, 10),)),
    QuizSpec(COMPLIANCE_SLUG, fixed=RISK, multiple_scoring=MultipleScoring.PARTIAL),
    QuizSpec(TRAINING_SLUG, draws=((TRAINING, 5),)),
    QuizSpec(IT_SLUG, draws=((IT_SUPPORT, 2), (ASSESSMENT, 2))),
    QuizSpec(PRODUCTS_SLUG, draws=((PRODUCTS, 5),)),
)
QUIZ_DEFAULTS = {
    "time_limit_minutes": 20,
    "pass_percent": 80,
    "attempts_allowed": 3,
    "wait_minutes": 10,
    "review_policy": ReviewPolicy.AFTER_SUBMIT,
    "shuffle_questions": True,
    "shuffle_choices": True,
    "published": True,
}


def quiz_title(course: CoursePage) -> str:
    return f"{course.title} 认证考试"


def _fields(spec: Q) -> dict:
    fields = {
        "kind": spec.kind,
        "stem": f"<p>{spec.stem}</p>",
        "explanation": f"依据{SOURCE}{spec.article}：{spec.explanation}",
        "difficulty": spec.difficulty,
    }
    if spec.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        fields["choices"] = [(text.lstrip("*"), text.startswith("*")) for text in spec.key]
    elif spec.kind == QuestionKind.TRUE_FALSE:
        fields["is_true"] = spec.key
    else:
        fields["accepted_answers"] = list(spec.key)
    return fields


def _ensure_bank(context: DemoContext) -> tuple[dict[str, list[Question]], int]:
    """Every demo category and question, by category name; and how many questions were new.

    Two reads whatever the size of the bank, so that a rerun of ``load_demo`` stays cheap.
    """
    companies = [context.units[spec.company] for spec in CATEGORIES]
    categories = {
        (category.company_id, category.name): category
        for category in QuestionCategory.objects.filter(
            company__in=companies, name__in=[spec.name for spec in CATEGORIES]
        )
    }
    existing = {
        (question.company_id, question.fingerprint): question
        for question in Question.objects.filter(company__in=companies)
    }
    created = 0
    by_category: dict[str, list[Question]] = {}
    for spec in CATEGORIES:
        company = context.units[spec.company]
        category = categories.get((company.pk, spec.name))
        if category is None:
            category = category_get_or_create(company=company, name=spec.name)
        if category.description != spec.description:
            category.description = spec.description
            category.save(update_fields=["description"])
        questions = []
        for item in spec.questions:
            fields = _fields(item)
            fingerprint = build_question(category=category, **fields).compute_fingerprint()
            question = existing.get((company.pk, fingerprint))
            if question is None:
                question = question_create(category=category, tags=list(item.tags), **fields)
                created += 1
            questions.append(question)
        by_category[spec.name] = questions
    return by_category, created


def _ensure_quizzes(context: DemoContext, bank: dict[str, list[Question]]) -> int:
    created = 0
    courses = {
        course.slug: course
        for course in CoursePage.objects.filter(
            slug__in=[spec.course_slug for spec in DEMO_QUIZZES]
        ).prefetch_related("audience_companies", "audience_channel_rows")
    }
    have_quiz = set(
        Quiz.objects.filter(course__in=courses.values()).values_list("course_id", flat=True)
    )
    for spec in DEMO_QUIZZES:
        course = courses.get(spec.course_slug)
        if course is None or course.pk in have_quiz:
            continue
        quiz = Quiz(
            title=quiz_title(course),
            description=_("通过本考试即完成课程《%(course)s》。") % {"course": course.title},
            company_id=course.owning_company_id,
            course=course,
            channels=sorted(course.audience_channels),
            multiple_scoring=spec.multiple_scoring,
            **QUIZ_DEFAULTS,
        )
        quiz.full_clean()
        quiz.save()
        quiz.audience_companies.set(list(course.audience_companies.all()))
        for order, (category_spec, count) in enumerate(spec.draws):
            category = bank[category_spec.name][0].category
            QuizRandomRule.objects.create(
                quiz=quiz, category=category, count=count, points=1, sort_order=order
            )
        if spec.fixed is not None:
            QuizQuestion.objects.bulk_create(
                QuizQuestion(
                    quiz=quiz,
                    question=question,
                    sort_order=order,
                    points=2 if question.kind == QuestionKind.MULTIPLE else 1,
                )
                for order, question in enumerate(bank[spec.fixed.name])
            )
        created += 1
    return created


def load_quizzes(context: DemoContext) -> None:
    """The demo step: the bank written from the seed, and a certification quiz per course."""
    bank, questions = _ensure_bank(context)
    quizzes = _ensure_quizzes(context, bank)
    context.log(
        _("题库与考试：新建题目 %(questions)d/%(all)d 道，新建认证考试 %(quizzes)d 场。")
        % {
            "questions": questions,
            "all": sum(len(spec.questions) for spec in CATEGORIES),
            "quizzes": quizzes,
        }
    )
