"""Counters kept by ``reports.rollups`` in the same transaction as the writes they count, so a
dashboard reads a few rows per unit and never scans the raw records."""

from .enrollments import NO_DUE_DATE, EnrollmentRollup

__all__ = ["NO_DUE_DATE", "EnrollmentRollup"]
