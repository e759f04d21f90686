from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from core.bounds import id_or_none


class IdCursorPagination(CursorPagination):
    """Pages of a list in the order rows were made: a cursor stays valid while rows are added,
    and the cost of a page does not grow with the number of rows before it."""

    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = 500

    def decode_cursor(self, request):
        """The cursor asked for; a cursor made by hand whose position is not an id a table can
        hold is refused as any malformed cursor is (404), before it reaches the query."""
        cursor = super().decode_cursor(request)
        position = cursor.position if cursor is not None else None
        if position is not None and id_or_none(position) is None:
            raise NotFound(self.invalid_cursor_message)
        return cursor


class NewestFirstCursorPagination(IdCursorPagination):
    """Pages of a record newest first (checks, flags): by id, which is unique, so that a cursor
    stays stable while new rows arrive at the front."""

    ordering = "-id"
