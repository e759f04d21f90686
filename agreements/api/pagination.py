from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Pages of a list in the order rows were made: a cursor stays valid while rows are added,
    and the cost of a page does not grow with the number of rows before it."""

    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = 500


class NewestFirstCursorPagination(IdCursorPagination):
    """Pages of a record newest first (checks, flags): by id, which is unique, so that a cursor
    stays stable while new rows arrive at the front."""

    ordering = "-id"
