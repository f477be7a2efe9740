"""A lock-free cached property: functools.cached_property takes a lock on every first access in 3.11."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class cached(Generic[T]):  # noqa: N801 - used like the decorator it replaces
    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, cls: type | None = None) -> T:
        if obj is None:
            return self  # type: ignore[return-value]
        value = self.func(obj)
        # Later reads find the instance attribute, not this descriptor (it has no __set__, so an
        # instance attribute of the same name wins). setattr rather than obj.__dict__[...]: reading
        # __dict__ makes CPython (3.11+) build a dict for an instance that keeps its attributes
        # inline, which costs time and memory on the many small objects (header fields) using this.
        setattr(obj, self.name, value)
        return value
