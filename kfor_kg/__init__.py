"""kfor-kg: knowledge graphs from UN Security Council letters on KFOR operations."""

from __future__ import annotations

__version__ = "0.1.0"
