"""How many items are worked on at once is the caller's choice: a `Mapper` is `map`,
or a thread pool's `map`, handed to the code that does the work."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], Iterator[Any]]
