from .attendance import (
    SEATED_STATUSES,
    CheckInMethod,
    Feedback,
    Registration,
    RegistrationStatus,
)
from .lecturers import (
    COMPANY_CHOICES,
    LEVEL_RANK,
    Employment,
    LecturerCorps,
    LecturerLevel,
    LecturerProfile,
    Qualification,
    QualificationSource,
)
from .notices import Notice, NoticeKind
from .plans import PlanItem, Quarter, SessionKind, TrainingPlan
from .sessions import (
    ACTIVE_ASSIGNMENT,
    ACTIVE_ASSIGNMENT_STATUSES,
    OPEN_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    LecturerAssignment,
    SessionStatus,
    TrainingSession,
)

__all__ = [
    "ACTIVE_ASSIGNMENT",
    "ACTIVE_ASSIGNMENT_STATUSES",
    "COMPANY_CHOICES",
    "LEVEL_RANK",
    "OPEN_STATUSES",
    "SEATED_STATUSES",
    "AssignmentRole",
    "AssignmentStatus",
    "CheckInMethod",
    "Employment",
    "Feedback",
    "LecturerAssignment",
    "LecturerCorps",
    "LecturerLevel",
    "LecturerProfile",
    "Notice",
    "NoticeKind",
    "PlanItem",
    "Qualification",
    "QualificationSource",
    "Quarter",
    "Registration",
    "RegistrationStatus",
    "SessionKind",
    "SessionStatus",
    "TrainingPlan",
    "TrainingSession",
]
