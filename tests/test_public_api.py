from __future__ import annotations

import leadlink as ll


def test_all_is_sorted_and_every_name_exists():
    assert list(ll.__all__) == sorted(ll.__all__, key=str)
    for name in ll.__all__:
        assert hasattr(ll, name), name


def test_errors_share_one_base():
    for name in ("ColumnError", "ConfigError", "InputError", "ModelError", "ResourceError"):
        assert issubclass(getattr(ll, name), ll.LeadlinkError)


def test_golden_record_tools_are_exported():
    from leadlink import merge

    for name in ("SurvivorshipPolicy", "conflicts", "golden_records", "lineage", "merge",
                 "split", "unmerge", "review_clusters"):  # fmt: skip
        assert getattr(ll, name) is getattr(merge, name), name
