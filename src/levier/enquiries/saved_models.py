"""Trained objects saved with joblib under MEDIA_ROOT/models: the classifier, the answer index.

Written atomically (a worker loading one never reads half a file) and read again only
when the file changed (its modification time), once per process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib


def save_atomically(obj: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    joblib.dump(obj, partial)
    os.replace(partial, path)
    return path


class LoadedOnce:
    """The object a file holds, read with `read(path)` when the file is new or changed."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int], Any] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def get(self, path: Path, read: Callable[[Path], Any]) -> Any:
        try:
            key = (str(path), path.stat().st_mtime_ns)
        except FileNotFoundError:
            return None
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        loaded = read(path)
        with self._lock:
            self._cache.clear()
            self._cache[key] = loaded
        return loaded
