"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/):
which media type a response is in, which status a result gets, and the
body of a request refused before GraphQL runs.

`application/graphql-response+json` is answered with the spec's status
codes: 400 and no `data` entry for a request error (a document that does
not parse or validate, variables that do not coerce), 401 for an invalid
credential, 200 otherwise. `application/json`, also the answer to `*/*`
or no Accept header, keeps the legacy rule: 200 for every GraphQL result,
request errors included."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import JSONResponse, Response
from strawberry.types import ExecutionResult

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
SUPPORTED = (GRAPHQL_RESPONSE, JSON)

# The top-level error code of a request refused before GraphQL runs because
# of its HTTP form: a body that is not a JSON object, an unsupported
# Content-Type (415), an Accept header that allows no JSON (406), a mutation
# over GET (405). The status says which.
BAD_REQUEST = "BAD_REQUEST"


def _ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their weights, in order."""
    ranges = []
    for part in accept.split(","):
        media_range, *parameters = (piece.strip() for piece in part.split(";"))
        if not media_range:
            continue
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    weight = 0.0
        ranges.append((media_range.lower(), weight))
    return ranges


def _preference(media_type: str, ranges: list[tuple[str, float]]) -> tuple[float, int, int]:
    """(weight, how specifically the header names the type, how early it
    names it) of the most specific range that matches `media_type`."""
    kind = media_type.split("/")[0]
    best = (0.0, -1, 0)
    for position, (media_range, weight) in enumerate(ranges):
        specificity = {media_type: 2, f"{kind}/*": 1, "*/*": 0}.get(media_range)
        if specificity is not None and specificity > best[1]:
            best = (weight, specificity, -position)
    return best


def response_media_type(accept: str | None) -> str | None:
    """The media type to answer in: the one the Accept header prefers,
    the one it names first on a tie, and `application/json` for a wildcard
    or no header (as legacy clients expect); None if it accepts neither."""
    if accept is None or not accept.strip():
        return JSON
    ranges = _ranges(accept)
    scored = {media_type: _preference(media_type, ranges) for media_type in SUPPORTED}
    weight, specificity, _ = max(scored.values())
    if weight <= 0:
        return None
    tied = [t for t in SUPPORTED if scored[t][:2] == (weight, specificity)]
    if specificity < 2:  # only a wildcard matched both
        return JSON
    return max(tied, key=lambda t: scored[t][2])


def is_request_error(result: ExecutionResult) -> bool:
    """Nothing was executed: the document did not parse or validate, or the
    variables did not coerce. Errors raised while executing carry a path."""
    return result.data is None and bool(result.errors) and all(e.path is None for e in result.errors)


# Statuses a legacy (`application/json`) client already got for refusals
# before GraphQL runs; any other refusal reaches it with 200.
LEGACY_STATUSES = (400, 413, 429)


@dataclass
class Exchange:
    """What one HTTP request to /graphql negotiated, kept on
    `request.state.graphql` until its response is made."""

    media_type: str
    status: int = 200
    answered: bool = False  # a GraphQL result was made for it

    def result_body(self, body: dict, result: ExecutionResult) -> dict:
        """The body of a GraphQL result: with the spec's media type, a
        request error has no `data` and makes the status 400."""
        self.answered = True
        if self.media_type == GRAPHQL_RESPONSE and is_request_error(result):
            body.pop("data", None)
            self.status = 400
        return body

    def answer(self, response: Response) -> Response:
        """The response in the negotiated media type and status."""
        if self.media_type != JSON:
            response.headers["content-type"] = f"{self.media_type}; charset=utf-8"
        if self.status != 200:  # else the status strawberry (or a resolver) chose
            response.status_code = self.status
        return response

    def refusal_status(self, status: int) -> int:
        return 200 if self.media_type == JSON and status not in LEGACY_STATUSES else status

    def refusal(self, status: int, message: str, code: str, headers: dict | None = None, **extensions) -> Response:
        """A GraphQL request error answered before anything runs."""
        status = self.refusal_status(status)
        return Exchange(self.media_type, status).answer(graphql_error(status, message, code, headers, **extensions))


def media_type_of(content_type: str | None) -> str:
    """`application/json` of `Application/JSON; charset=utf-8`."""
    return (content_type or "").split(";")[0].strip().lower()


def graphql_error(status: int, message: str, code: str, headers: dict | None = None, **extensions) -> Response:
    """A response with one top-level error and no `data`, as `application/json`."""
    body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    return JSONResponse(body, status, headers=headers)
