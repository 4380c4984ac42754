"""Counters kept by ``reports.rollups`` in the same transaction as the writes they count, so a
dashboard reads a few rows per unit and never scans the raw records."""

from .activity import AttendanceRollup, AttendeePlace, CompletionRollup
from .api import StatisticsCall, StatisticsClient
from .certificates import CertificationRollup, CountedHolder
from .enrollments import NO_DUE_DATE, EnrollmentRollup
from .people import AgentRollup, CountedAgent
from .reminders import Reminder, ReminderBatch

__all__ = [
    "NO_DUE_DATE",
    "AgentRollup",
    "AttendanceRollup",
    "AttendeePlace",
    "CertificationRollup",
    "CompletionRollup",
    "CountedAgent",
    "CountedHolder",
    "EnrollmentRollup",
    "Reminder",
    "ReminderBatch",
    "StatisticsCall",
    "StatisticsClient",
]
