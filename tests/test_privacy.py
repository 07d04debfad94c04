"""Personal data (phones, emails, names) never appears in log messages, at any level."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

import leadlink as ll

LEADS = pd.DataFrame(
    {
        "lead_id": [f"L{i}" for i in range(12)],
        "name": ["张伟", "張偉", "Zhang Wei", "李娜", "王芳", "Robert Smith"] * 2,
        "phone": ["13800138001", "+86 138 0013 8001", "13800138001", "13900139002", None,
                  "+1 415 555 0100"] * 2,
        "email": ["zw@qq.com", None, "ZW@QQ.COM", "lina@163.com", "wf@126.com",
                  "bob@acme.com"] * 2,
        "company": ["字节跳动", "字節跳動", None, "腾讯", None, "Acme Inc"] * 2,
    }
)  # fmt: skip

SECRETS = ["张伟", "張偉", "Zhang", "李娜", "王芳", "Robert", "Smith", "13800138001",
           "8613800138001", "zw@qq.com", "lina", "wf@126", "bob@acme", "4155550100", "字节跳动"]  # fmt: skip


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_no_personal_data_in_logs_at_debug():
    capture = _Capture()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        result = ll.dedupe(LEADS)
        ll.validate(LEADS)
        assert result.model is not None
        result.model.predict(ll.prepare(LEADS, result.roles, id_column="lead_id"))
    finally:
        root.removeHandler(capture)
        root.setLevel(previous)
    assert capture.messages, "expected some log messages to check"
    text = "\n".join(capture.messages)
    leaked = [secret for secret in SECRETS if secret.lower() in text.lower()]
    assert not leaked, f"personal data in logs: {leaked}"


def test_pseudonymised_matching_gives_the_same_clusters_without_clear_contacts():
    leads = pd.concat([LEADS] * 3, ignore_index=True)
    leads["lead_id"] = [f"L{i}" for i in range(len(leads))]
    clear = ll.dedupe(leads)
    hashed = ll.dedupe(leads, hash_key="a-secret-key-of-32-characters-xx")
    prepared = ll.prepare(
        leads, hashed.roles, id_column="lead_id", hash_key="a-secret-key-of-32-characters-xx"
    )
    text = prepared.to_csv() + hashed.pairs.to_csv()
    for secret in ("13800138001", "8613800138001", "zw@qq.com", "lina@163.com", "qq.com"):
        assert secret not in text
    # Equal values still meet: the exact-match clusters are the same.
    assert clear.clusters["cluster_id"].nunique() == hashed.clusters["cluster_id"].nunique()


def test_short_hash_keys_are_refused():
    with pytest.raises(ll.ConfigError, match="16 bytes"):
        ll.dedupe(LEADS, hash_key="short")
