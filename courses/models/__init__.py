from .learning import (
    Assignment,
    Enrollment,
    EnrollmentSource,
    EnrollmentStatus,
    LessonProgress,
)
from .pages import (
    CompletionRule,
    CourseAudienceChannel,
    CourseIndexPage,
    CoursePage,
    CourseProductTag,
    CourseTopicTag,
    LessonKind,
    LessonPage,
    MorningMeetingIndexPage,
    MorningMeetingPage,
    business_line,
)

__all__ = [
    "Assignment",
    "CompletionRule",
    "CourseAudienceChannel",
    "CourseIndexPage",
    "CoursePage",
    "CourseProductTag",
    "CourseTopicTag",
    "Enrollment",
    "EnrollmentSource",
    "EnrollmentStatus",
    "LessonKind",
    "LessonPage",
    "LessonProgress",
    "MorningMeetingIndexPage",
    "MorningMeetingPage",
    "business_line",
]
