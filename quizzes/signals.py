"""Signals apps to the right of quizzes listen to (they may import quizzes; quizzes never imports
them).

Sent inside the sender's transaction, so a receiver's writes commit or roll back with it, and a
receiver that raises undoes the submission: receivers skip what they cannot do instead.
"""

from django.dispatch import Signal

# Sent when a submitted attempt passes: at its submission, or when a regrade turns it into a pass.
# attempt (quiz and person loaded; graded_at is when it passed).
attempt_passed = Signal()

# Sent after a certificate was issued (granted or renewed) or revoked: certificate.
certificate_changed = Signal()
