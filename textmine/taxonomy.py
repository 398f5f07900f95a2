"""The six complaint labels of the after-sales study and the company-size buckets.

This is the one place that defines them; every other module imports from here.
The definitions restate ``LABELING.md`` (the project's labelling guide) in short.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Label", "LABELS", "LABEL_INFO", "SIZE_BUCKETS", "UNKNOWN_SIZE", "ALL_SIZE_BUCKETS"]


@dataclass(frozen=True)
class Label:
    """One complaint category: its id, the study's Chinese name and a one-line scope."""

    id: str
    name_zh: str
    description: str


_LABEL_LIST: tuple[Label, ...] = (
    Label(
        "channel",
        "受理服务的通道不畅",
        "The request cannot get in: busy or dead hotline, nobody to contact, a single channel, "
        "a broken portal, a bot that never hands over to a person.",
    ),
    Label(
        "speed",
        "受理服务的响应速度慢",
        "The request got in but the first reaction is slow: no reply for hours or days, "
        "read-but-no-reply, a late call-back or visit.",
    ),
    Label(
        "cycle",
        "受理服务的响应周期长",
        "The whole span to closure is long: weeks of dragging, 'next release', long "
        "escalation chains, repeated rescheduling.",
    ),
    Label(
        "capability",
        "解决问题的能力较低",
        "Support cannot solve it: still unresolved, wrong diagnosis, a fix that does not "
        "hold, staff who do not know the product.",
    ),
    Label(
        "efficiency",
        "解决问题的效率较低",
        "The way it is worked wastes effort: passed between teams, repeating the same "
        "information, many rounds or visits, mutual blame.",
    ),
    Label(
        "communication",
        "售后服务人员的沟通能力较低",
        "The interaction is poor: attitude, impatience, vague or evasive answers, jargon, "
        "no progress updates, over-promising.",
    ),
)

#: Label ids in their canonical order. Every model output follows this order.
LABELS: tuple[str, ...] = tuple(label.id for label in _LABEL_LIST)

#: ``LABEL_INFO["speed"].name_zh == "受理服务的响应速度慢"``
LABEL_INFO: dict[str, Label] = {label.id: label for label in _LABEL_LIST}

#: Company-size buckets (employees) in ascending order.
SIZE_BUCKETS: tuple[str, ...] = ("1-50", "51-200", "201-500", "501-1000", "1001-2000", "2000+")

#: The bucket for sizes that cannot be read with confidence.
UNKNOWN_SIZE = "unknown"

#: The size buckets followed by ``"unknown"``: every value ``size_bucket`` can return.
ALL_SIZE_BUCKETS: tuple[str, ...] = SIZE_BUCKETS + (UNKNOWN_SIZE,)

#: Inclusive (low, high) employee counts of each bucket; ``None`` means no upper bound.
BUCKET_RANGES: dict[str, tuple[int, int | None]] = {
    "1-50": (1, 50),
    "51-200": (51, 200),
    "201-500": (201, 500),
    "501-1000": (501, 1000),
    "1001-2000": (1001, 2000),
    "2000+": (2001, None),
}
