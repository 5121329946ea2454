"""Django's request path in one thread hop, for the few requests on a latency budget (an agent's presence change).

Django's ASGI handler runs synchronous middleware and views through asgiref: a new thread per request for its
thread-sensitive context and a hop between the event loop and that thread at every point where the middleware
chain changes mode (our sync-only middleware, then the async core, then the sync view), each copying and restoring
the context variables. For the presence change that machinery was about a third of daphne's CPU and most of its
latency under load (`bench/README.md`, Routing). Here the same middleware and the same view run as under WSGI: the
request is read on the event loop, then one call on a worker thread runs the whole synchronous chain, renders the
body and closes the response there (`request_finished` hands that thread's database connection back), and the
answer is written from the loop. Nothing is skipped: sessions, CSRF, authentication, throttling, the audit context
and the error handlers are Django's own. For views that answer in one piece (no streaming responses).
"""

import asyncio
import contextvars

from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import HttpResponseBase
from django.urls import set_script_prefix


class OneHopHandler(ASGIHandler):
    def __init__(self) -> None:
        super(ASGIHandler, self).__init__()  # BaseHandler's: the middleware is loaded once, in its sync mode
        self.load_middleware(is_async=False)

    async def __call__(self, scope, receive, send) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            run = contextvars.copy_context().run  # each request's context variables start from the loop's
            response = await asyncio.get_running_loop().run_in_executor(None, run, self._respond, scope, body_file)
        finally:
            body_file.close()
        await self.send_response(response, send)

    def _respond(self, scope, body_file) -> HttpResponseBase:
        """On the worker thread: the request through the middleware and view, its body rendered, closed."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
        response._handler_class = self.__class__
        try:
            response.content  # noqa: B018 - rendered here, before `close` ends the request
        finally:
            response.close()
        return response
