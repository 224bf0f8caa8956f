"""A few Prometheus counters, rendered in the text exposition format."""

from __future__ import annotations

import threading
from collections import defaultdict


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: defaultdict[tuple[str, tuple[tuple[str, str], ...]], float] = defaultdict(
            float
        )

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        with self._lock:
            self._counters[(name, tuple(sorted(labels.items())))] += amount

    def render(self, gauges: dict[str, float] | None = None) -> str:
        lines = []
        with self._lock:
            items = sorted(self._counters.items())
        for (name, labels), value in items:
            label_text = ",".join(f'{k}="{v}"' for k, v in labels)
            lines.append(f"{name}{{{label_text}}} {value}" if label_text else f"{name} {value}")
        for name, value in sorted((gauges or {}).items()):
            lines.append(f"{name} {value}")
        return "\n".join(lines) + "\n"
