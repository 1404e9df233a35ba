"""The bounds of a search, shared by the engine, the CLI's options and the web app's parameters.

A module of plain values without imports: the CLI declares its options with them and starts without
loading Whoosh.
"""

MAX_QUERY_CHARS = 1000  # the engine cuts longer input (and says so); the web app refuses it with a 400
MAX_LIMIT = 100  # results on one page
MAX_PAGE = 1000
SORTS = ("relevance", "date")
