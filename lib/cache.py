"""A value kept per process for a while: reference data read on every request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Final


class PerProcess[T]:
    """The value `load` returns, kept for SECONDS and dropped at once by `forget` (call it
    when the rows it was read from change in this process; other processes notice within
    SECONDS)."""

    SECONDS: Final = 60.0

    def __init__(self, load: Callable[[], T]) -> None:
        self.load, self.lock = load, threading.Lock()
        self.value: tuple[float, T] | None = None

    def get(self) -> T:
        with self.lock:
            if self.value is None or time.monotonic() - self.value[0] >= self.SECONDS:
                self.value = (time.monotonic(), self.load())
            return self.value[1]

    def forget(self, **_kwargs: object) -> None:
        with self.lock:
            self.value = None
