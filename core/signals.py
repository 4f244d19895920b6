"""Signals other parts of the product listen to, so writers need not know their readers."""

from django.dispatch import Signal

# Sent after the transaction that changed a town's records commits (``core.services.towns_touched``);
# ``town_ids`` is a set; ``since`` maps each to the first day its change alters the figures (None: from the
# reform's start). Without ``since`` (a recompute asked for by hand) only the current month is meant.
# ``calls_changed`` False: the change cannot alter the towns' call figures (absent: it may);
# ``calls_since`` a day: it alters only those of the months from that day's (absent or None: any).
# The statistics engine listens and queues a recompute of those towns.
town_touched = Signal()

# Sent first thing inside a write's transaction, before any row is locked: the audit log takes its
# chain lock here, so that every writer takes the locks in the same order and none deadlocks.
write_begins = Signal()

# Sent inside the writing transaction, so that the audit entry commits or rolls back with the change.
# ``action`` is "create", "update" or "delete"; ``user`` made the change; ``figure_free`` True: an update
# changed only the model's ``figure_free_fields``, which no figure or alert reads, or nothing at all.
record_changed = Signal()

# The same for several rows written together (``core.services.records_write``): ``changes`` is a list of
# ``(instance, action)``, so that listeners can do their work once (the audit log: one insert).
records_changed = Signal()

# Sent by the browser after a save, to show the clerk at once what the saved ``instance`` set off; each
# receiver answers with a list of alert messages (the statistics engine: the record's open alerts).
saved_record_alerts = Signal()

# Sent when a user takes data out (``what`` names the list, ``fmt`` the format, ``count`` the rows).
data_exported = Signal()

# Sent when an import or a bulk write writes (``what`` names it, ``created``/``updated`` the row counts), by
# ``core.services.record_import`` inside the writing transaction, so a preview or refused file leaves no entry.
data_imported = Signal()

# Sent when an API token is created, revoked or used (``action``: "create", "revoke", "use", "reject").
token_event = Signal()

# Sent when a signed-in user enters a wrong second-factor code.
second_factor_failed = Signal()
