"""Signals of our own.

`records_bulk_changed`: records were written in bulk (an import), which sends no `post_save`; receivers
get the ids of the communities the rows belong to (`community_ids`), e.g. to evaluate them again.
"""

from django.dispatch import Signal

records_bulk_changed = Signal()
