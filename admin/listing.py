"""The rows a list page matches across all its pages: what exports and "every matching row" bulk edits read."""
from __future__ import annotations

from flask import abort, g, request

LIST_ARGUMENTS = ("search", "sort", "desc")


class MatchingRowsMixin:
    """`matching_query()`: the list page's own query (scope, search, filters, sort) without paging."""

    def matching_query(self):
        """The query of the list page the current URL describes, every page, no COUNT."""
        args = self._get_list_extra_args()
        if len(args.filters or ()) != sum(1 for key in request.args if key.startswith("flt")):
            abort(400, "The list has a filter this page does not know; nothing was read or changed.")
        sort = self._get_column_by_idx(args.sort)
        g.skip_list_count = True
        try:
            _count, query = self.get_list(0, sort[0] if sort else None, args.sort_desc, args.search,
                                          args.filters, execute=False, page_size=0)
        finally:
            g.skip_list_count = False
        return query

    def get_count_query(self):
        if g.get("skip_list_count"):
            return None
        return super().get_count_query()


def list_arguments() -> dict[str, str]:
    """The current URL's search, filters and sort, to carry over to another page of the same list."""
    return {key: value for key, value in request.args.items()
            if key.startswith("flt") or key in LIST_ARGUMENTS}
