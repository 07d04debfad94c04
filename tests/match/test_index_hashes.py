"""The hashes the real-time index keys its arrays by: built for many rows at once, asked for
one key or record at a time, they must be the same numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from leadlink.match._columns import (
    MISSING_HASH,
    Hashes,
    combined_hash,
    combined_hashes,
    stable_hashes,
)


def test_one_record_at_a_time_gives_the_numbers_of_the_whole_array() -> None:
    rng = np.random.default_rng(7)
    columns = [rng.integers(0, 2**64, size=500, dtype=np.uint64) for _ in range(5)]
    columns[2][::7] = MISSING_HASH
    many = combined_hashes(iter(columns), 500)
    one = [combined_hash(int(c[i]) for c in columns) for i in range(500)]
    assert many.tolist() == one
    assert (many >= 0).all()  # 63 bits: never taken for "a record of its own" (negative)
    # the order of the values counts
    assert combined_hash([1, 2]) != combined_hash([2, 1])


@pytest.mark.parametrize("with_table", [True, False])
def test_a_key_of_several_fields_hashes_as_its_values_do(with_table: bool) -> None:
    frame = pd.DataFrame(
        {
            "name": ["张伟", "张伟", None, "Anna Li", "张伟"],
            "employer": ["字节跳动", "字节跳动", "字节跳动", None, "腾讯"],
            "flag": [0, 1, 0, 1, 0],
        }
    )
    table = pa.Table.from_pandas(frame, preserve_index=False) if with_table else None
    hashes = Hashes(frame, table)
    present, keys = hashes.key(("name", "employer"))
    assert present.tolist() == [True, True, False, False, True]

    def one(value: object) -> int:
        return int(stable_hashes(np.array([str(value)], dtype=object))[0])

    expected = [
        combined_hash([one(n), one(e)]) for n, e in frame[["name", "employer"]].values[present]
    ]
    assert keys.tolist() == expected
    assert keys[0] == keys[1] != keys[2]
    # numbers hash as their text, a missing value as MISSING_HASH
    assert hashes.values("flag").tolist() == [one(v) for v in frame["flag"]]
    assert hashes.values("name")[2] == MISSING_HASH
