"""Extension points: how a lower app asks for behaviour that a higher app owns, without importing it.

A lower app declares a :class:`Hook` in its own ``hooks`` module and calls it; a higher app registers an
implementation in its ``AppConfig.ready()``. The layers stay one-way (import-linter holds them) and the
dependency is still visible: grep for the hook's name. Examples: the exam ban after a revocation (exams asks,
certificates answers), the violation catalogue behind a compliance gap (compliance asks, enforcement answers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

Result = TypeVar("Result")


class Hook(Generic[Result]):
    """A named extension point whose implementations each return a ``Result`` (or ``None`` for "nothing")."""

    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.__doc__ = doc
        self._implementations: list[Callable[..., Result | None]] = []

    def register(self, implementation: Callable[..., Result | None]) -> Callable[..., Result | None]:
        """Add an implementation (once, however often ``ready()`` runs); usable as a decorator."""
        key = (implementation.__module__, implementation.__qualname__)
        if all((f.__module__, f.__qualname__) != key for f in self._implementations):
            self._implementations.append(implementation)
        return implementation

    def results(self, **kwargs) -> list[Result]:
        """What every implementation answers for ``kwargs``, ``None`` answers left out."""
        return [result for f in self._implementations if (result := f(**kwargs)) is not None]

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._implementations)} implementation(s)>"
