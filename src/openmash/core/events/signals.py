"""`records_changed`: sent by `record_events` each time a service stores the events of a change, and by
`replace_child_events` when records are loaded in bulk (an imported census), with the children whose
statutory records changed. Every recorded change passes there, so whatever must follow
a change to a child (the census data-quality check, in openmash.returns) listens here instead of each
service calling it: core cannot import the layers above it."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the service's transaction, with `child_ids` (a frozenset of Child keys). Receivers that do
# slow work should defer it until the transaction commits (transaction.on_commit).
records_changed = Signal()
