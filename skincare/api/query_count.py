"""``X-Query-Count`` response header for benchmarks (``QUERY_COUNT_HEADER=true``; off by default).

``benchmarks/hot_paths.py`` starts gunicorn with it so each measured answer reports how many SQL
statements the server ran for it, counted across every database connection the request used. The
middleware is only installed when the setting is on, so production pays nothing for it.
"""

from django.db import connections


class QueryCountHeaderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        wrappers = [connections[alias].execute_wrapper(counter) for alias in connections]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        response["X-Query-Count"] = str(count)
        return response
