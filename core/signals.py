"""Signals of our own.

`records_bulk_changed`: records were written in bulk (an import), which sends no `post_save`; receivers
get the ids of the communities the rows belong to (`community_ids`), e.g. to evaluate them again.

`database_restored`: a backup replaced the whole database (`core.backups.restore`), behind every
model's back; receivers drop what they derived from the old rows (cached figures).
"""

from django.dispatch import Signal

records_bulk_changed = Signal()
database_restored = Signal()
