"""Signals apps to the right of lecturer_portal listen to (they may import lecturer_portal; it
never imports them).

Sent inside the sender's transaction, so a receiver's writes commit or roll back with it.
"""

from django.dispatch import Signal

# Sent after a registration started or stopped counting as attendance (a check-in, a check-in
# undone): registration (session and person loaded), attended (the new state, a bool).
# Registrations removed are seen by reports through Django's post_delete.
attendance_changed = Signal()
