"""Signals other parts of the product listen to, so writers need not know their readers."""

from django.dispatch import Signal

# Sent after the transaction that changed a town's records commits; ``town_ids`` is a set.
# The statistics engine listens and queues a recompute of those towns.
town_touched = Signal()
