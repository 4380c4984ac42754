"""Signals other apps listen to, to keep the org paths they copied in step.

Receivers run inside the sender's transaction, so a copied path is never seen stale.
"""

from django.dispatch import Signal

# Sent after a unit and its subtree moved: old_path and new_path are the unit's paths.
org_subtree_moved = Signal()

# Sent after people were created, one or many at once (by hand, by a bulk import, by the demo
# loader): people, a list. Receivers handle the batch in a few queries.
people_created = Signal()

# Sent after a person changed org unit: person, old_path and new_path.
person_moved = Signal()

# Sent after a person's channel or roles changed (what audiences select on): person.
person_audience_changed = Signal()

# Sent after a person was deactivated or reactivated: person (is_active is the new state).
person_active_changed = Signal()
