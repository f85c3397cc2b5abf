"""Route selection as HTTP APIs do it: the most specific route wins.

Segment by segment from the left, a static segment beats `{param}`, which
beats a greedy `{proxy+}`; at equal paths a route of the request's method
beats `ANY`; `$default` catches what nothing else matches. No route -> 404
(HTTP APIs have no 405).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from local.specs import DEFAULT_ROUTE, Route

_STATIC, _PARAM, _GREEDY = 0, 1, 2


@dataclass(frozen=True)
class RouteMatch:
    route: Route
    path_parameters: dict[str, str]


def _segments(path: str) -> list[str]:
    return path.strip("/").split("/") if path.strip("/") else []


def _match(pattern: list[str], segments: list[str]) -> tuple[list[int], dict[str, str]] | None:
    """Per-segment kinds (for ranking) and the parameters, or None when the path differs."""
    kinds: list[int] = []
    params: dict[str, str] = {}
    for i, part in enumerate(pattern):
        if part.startswith("{") and part.endswith("+}"):
            rest = segments[i:]
            if not rest:
                return None
            params[part[1:-2]] = unquote("/".join(rest))
            return [*kinds, _GREEDY], params
        if i >= len(segments):
            return None
        if part.startswith("{") and part.endswith("}"):
            if not segments[i]:
                return None
            params[part[1:-1]] = unquote(segments[i])
            kinds.append(_PARAM)
        elif part == segments[i]:
            kinds.append(_STATIC)
        else:
            return None
    if len(pattern) != len(segments):
        return None
    return kinds, params


class RouteTable:
    def __init__(self, routes: Iterable[Route]) -> None:
        every = list(routes)
        self.routes = [r for r in every if r.path != DEFAULT_ROUTE]
        self.default = next((r for r in every if r.path == DEFAULT_ROUTE), None)
        self._patterns = [_segments(r.path) for r in self.routes]

    def match(self, method: str, path: str) -> RouteMatch | None:
        """The route serving `method path` (path without the /api prefix), or None."""
        segments = _segments(path)
        best: tuple[tuple[list[int], int], RouteMatch] | None = None
        for route, pattern in zip(self.routes, self._patterns, strict=True):
            if route.method not in (method, "ANY"):
                continue
            found = _match(pattern, segments)
            if found is None:
                continue
            kinds, params = found
            rank = (kinds, 1 if route.method == "ANY" else 0)
            if best is None or rank < best[0]:
                best = (rank, RouteMatch(route, params))
        if best is not None:
            return best[1]
        if self.default is not None:
            return RouteMatch(self.default, {})
        return None
