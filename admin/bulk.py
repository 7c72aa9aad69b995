"""Data in and out in bulk: streamed exports, imports, bulk edit and guarded inline editing."""
from admin.bulk_edit import BulkEditMixin
from admin.exports import StreamingExportMixin
from admin.imports import ImportMixin
from admin.inline_edit import GuardedInlineEditMixin
from admin.listing import MatchingRowsMixin


class BulkDataMixin(MatchingRowsMixin, StreamingExportMixin, ImportMixin, BulkEditMixin, GuardedInlineEditMixin):
    """Every model view gets these; each is gated by its verb in the view's `access` table."""
