import textmine
from textmine.taxonomy import BUCKET_RANGES


def test_labels_in_guide_order():
    assert textmine.LABELS == (
        "channel", "speed", "cycle", "capability", "efficiency", "communication",
    )


def test_every_label_has_chinese_name_and_description():
    for label in textmine.LABELS:
        info = textmine.LABEL_INFO[label]
        assert info.id == label
        assert any("\u4e00" <= ch <= "\u9fff" for ch in info.name_zh)
        assert len(info.description) > 20


def test_size_buckets_ordered_and_contiguous():
    assert textmine.SIZE_BUCKETS == ("1-50", "51-200", "201-500", "501-1000", "1001-2000", "2000+")
    assert textmine.ALL_SIZE_BUCKETS[-1] == "unknown"
    previous_high = 0
    for bucket in textmine.SIZE_BUCKETS:
        low, high = BUCKET_RANGES[bucket]
        assert low == previous_high + 1
        previous_high = high if high is not None else previous_high
