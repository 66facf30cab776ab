"""The fast lane: a POST to /graphql of a known query, answered in front of the router with
the status, headers and bytes the /graphql route gives it; any other request goes on.

A known query (schema/known.py) already skips the view's parsing and the schema's
extensions (web/fast_requests.py). What was left around it for a small query was the HTTP
machinery: CORS, the router, the route's caching and body limit, the view's request and
response objects, each layer wrapping the next. The lane sits inside the request observer,
the read timeout and CORS, which still give the request its ID, its log line, its metrics,
the body's deadline and CORS's headers, and answers a known query with none of the rest
(BENCHMARKS.md has what it saves).

It takes only what it answers exactly as the route would: a POST of JSON to /graphql with
no Authorization (a token's refusal has its own answer), no streaming Accept, and a body
within the limit. It reads the body, and passes on what it does not answer with the body's
messages given again: an unknown query, bad JSON, a body the limit refuses. What it tried
as a known query and could not answer (not known after all, or an error met) is noted so
that the view runs it the ordinary way without trying it fast again first.
"""

from __future__ import annotations

from cross_web import HTTPException
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schema.context import RequestOutcome
from service.metrics import Metrics
from web import fast_requests
from web.caching import UNCACHED, uncached
from web.graphql_app import GraphQLApp, response_json, response_media_type, with_outcome

#: The headers the lane reads, as ASGI gives their names.
_CONTENT_TYPE, _CONTENT_LENGTH, _ACCEPT = b"content-type", b"content-length", b"accept"
#: A request with a token goes on: the token may be refused, which has an answer of its own.
_AUTHORIZATION = b"authorization"


class FastLane:
    """ASGI middleware: answers a POST of a known query to /graphql (`route`, its view
    `GraphQLApp`) as the route would, with a body of at most `max_body_bytes`; passes on
    everything else."""

    def __init__(self, app: ASGIApp, route: Route, metrics: Metrics, max_body_bytes: int) -> None:
        self.app = app
        self.route = route
        self.view: GraphQLApp = route.endpoint  # type: ignore[assignment]
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] == self.route.path
            and not scope.get("root_path")
        ):
            await self.app(scope, receive, send)
            return
        accept = self._accept(scope)
        if accept is None:
            await self.app(scope, receive, send)
            return
        # The body as it arrives, in one message or several (within the read timeout's
        # deadline, which the receive given here keeps), each kept to be given again.
        read: list[Message] = []
        parts: list[bytes] = []
        size = 0
        whole = False
        while not whole:
            message = await receive()
            read.append(message)
            if message["type"] != "http.request":
                break
            part: bytes = message.get("body", b"")
            parts.append(part)
            size += len(part)
            if size > self.max_body_bytes:
                break  # the body limit answers 413
            whole = not message.get("more_body", False)
        given = 0

        async def again() -> Message:
            # The messages read here, then whatever comes after them.
            nonlocal given
            if given == len(read):
                return await receive()
            given += 1
            return read[given - 1]

        if not whole:
            await self.app(scope, again, send)
            return
        body = b"".join(parts)
        try:
            params = fast_requests.params_of(self.view.parse_json(body))
        except HTTPException:
            params = None  # the view answers 400 in its words
        if params is None:
            await self.app(scope, again, send)
            return
        # What the router would note of the route it matched (the metrics name it).
        scope["route"] = self.route
        scope.update(endpoint=self.route.endpoint, path_params={})
        request = Request(scope, again)
        ran = await fast_requests.run(self.view, request, params)
        if ran is None:
            self.metrics.fast_request_ordinary()
            scope[fast_requests.TRIED] = True
            await self.app(scope, again, send)
            return
        self.metrics.fast_request_answered()
        result, sub_response = ran
        media_type = response_media_type(accept)
        outcome = RequestOutcome.of(scope)
        if (
            result.errors
            or result.extensions
            or outcome.refusal is not None
            or sub_response.status_code is not None
            or sub_response.headers.raw
            or sub_response.background is not None
        ):
            # What a known query rarely gives (a time limit's error): the view's own way.
            data = await self.view.process_result(request, result)
            response = self.view.create_response(data, sub_response)
            with_outcome(scope, response, media_type)
            uncached(response.headers)  # as the route's caching does
            await response(scope, again, send)
            return
        # The view's process_result for a result without errors: its data alone, noted.
        outcome.add_result(None, errors=False)
        answer = response_json({"data": result.data})
        headers = [
            (_CONTENT_LENGTH, str(len(answer)).encode("latin-1")),
            (_CONTENT_TYPE, f"{media_type}; charset=utf-8".encode("latin-1")),
            *UNCACHED,  # as the route's caching gives a POST's answer
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    def _accept(self, scope: Scope) -> str | None:
        """The request's Accept (empty without one), if the lane may take the request by its
        headers; None when it goes on."""
        content_type: bytes | None = None
        length: bytes | None = None
        accept: bytes | None = None
        for name, value in scope["headers"]:
            if name == _AUTHORIZATION:
                return None
            # The first of each, as Starlette's Headers.get reads them.
            if name == _CONTENT_TYPE and content_type is None:
                content_type = value
            elif name == _CONTENT_LENGTH and length is None:
                length = value
            elif name == _ACCEPT and accept is None:
                accept = value
        if content_type is None or not fast_requests.json_body(content_type.decode("latin-1")):
            return None
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            return None  # the body limit answers 413 before reading it
        text = "" if accept is None else accept.decode("latin-1")
        return None if fast_requests.streaming(text) else text
