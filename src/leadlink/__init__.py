"""leadlink: CRM lead data quality — clean, merge and score leads."""

from __future__ import annotations

__version__ = "0.1.0"
