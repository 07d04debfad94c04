"""Personal data (phones, emails, names) never appears in log messages, at any level, nor
in what the command line prints."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager

import pandas as pd
import pytest

import leadlink as ll
from leadlink.cli import main
from leadlink.datasets import generate_leads

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
        self.messages.append(self.format(record))  # the message and any traceback


@contextmanager
def _capturing_logs() -> Iterator[_Capture]:
    """Every record of every logger (they all propagate to the root) from DEBUG up."""
    capture = _Capture()
    root = logging.getLogger()
    previous_level, previous_handlers = root.level, list(root.handlers)
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.handlers[:] = previous_handlers  # also drops a handler the CLI's basicConfig added
        root.setLevel(previous_level)


def _assert_nothing_leaked(texts: Mapping[str, str], secrets: Collection[str]) -> None:
    folded = {where: text.casefold() for where, text in texts.items()}
    leaked = {
        where: found
        for where, text in folded.items()
        if (found := sorted({s for s in secrets if s.casefold() in text}))
    }
    assert not leaked, f"personal data leaked: {leaked}"


def test_no_personal_data_in_logs_at_debug():
    with _capturing_logs() as capture:
        result = ll.dedupe(LEADS)
        ll.validate(LEADS)
        assert result.model is not None
        result.model.predict(ll.prepare(LEADS, result.roles, id_column="lead_id"))
    assert capture.messages, "expected some log messages to check"
    _assert_nothing_leaked({"logs": "\n".join(capture.messages)}, SECRETS)


# --------------------------------------------- generated leads: every stage after dedupe


@pytest.fixture(scope="module")
def generated() -> tuple[pd.DataFrame, ll.DedupeResult]:
    """About 120 generated leads (60 people) and their dedupe result."""
    leads = generate_leads(60, seed=23).drop(columns=["person_id", "is_ghost"])
    return leads, ll.dedupe(leads)


@pytest.fixture(scope="module")
def personal(generated) -> set[str]:
    """Every name, phone (as entered and as E.164, with and without the +) and email (as
    entered and canonical) of the generated leads. Placeholder names (test, asdf) are
    nobody's data, and would match the test's own folder names."""
    leads, _ = generated
    values: set[str] = set()
    for name in leads["name"].dropna():
        if not ll.normalize.is_placeholder_name(name):
            values |= {str(name), ll.normalize.name(name) or ""}
    for phone in leads["phone"].dropna():
        e164 = ll.normalize.phone(phone) or ""
        values |= {str(phone), e164, e164.removeprefix("+")}
    for email in leads["email"].dropna():
        values |= {str(email), ll.normalize.email(email) or ""}
    return {value.strip() for value in values if len(value.strip()) >= 2}


def test_no_personal_data_in_logs_of_enrich(generated, personal):
    leads, _ = generated
    reference = leads.sample(frac=0.7, random_state=1)[
        ["name", "phone", "email", "company", "city", "title"]
    ].reset_index(drop=True)
    reference.loc[::3, "name"] = "Someone Else"  # present values that disagree are reported
    blanked = leads.copy()
    blanked.loc[blanked.index[::2], ["name", "company", "city", "title"]] = None
    with _capturing_logs() as capture:
        results = [
            ll.enrich(blanked, reference, key=key, source="registry")
            for key in ("company", "email", "phone", "name", "city")
        ]
    assert all(len(r.filled) + len(r.disagreements) for r in results[:4])
    _assert_nothing_leaked({"logs": "\n".join(capture.messages)}, personal)


def test_no_personal_data_in_logs_of_golden_records_and_corrections(generated, personal):
    _, result = generated
    assert result.leads is not None and result.prepared is not None
    args = (result.leads, result.prepared)
    merged = result.golden.loc[result.golden["n_leads"] > 1, "lead_ids"]
    assert len(merged) >= 2, "expected clusters with duplicates to correct"
    with _capturing_logs() as capture:
        golden = ll.golden_records(*args, result.clusters, result.roles, explain=True)
        ll.lineage(golden)
        ll.conflicts(*args, result.clusters, result.roles, golden=golden)
        result.lineage()
        result.conflicts()
        unmerged = ll.unmerge(result.clusters, [merged.iloc[0][0]])
        ll.golden_records(*args, unmerged, result.roles)
        split = ll.split(result.clusters, [merged.iloc[1][:1]])
        rejoined = ll.merge(split, merged.iloc[1])
        ll.golden_records(*args, rejoined, result.roles, policy=ll.SurvivorshipPolicy())
    _assert_nothing_leaked({"logs": "\n".join(capture.messages)}, personal)


def test_no_personal_data_in_logs_or_details_of_review(generated, personal):
    _, result = generated
    assert result.prepared is not None
    with _capturing_logs() as capture:
        review = result.review()
        strict = ll.review_clusters(
            result.clusters, result.pairs, result.prepared, large=2, weak_below=0.99
        )
        queue = result.review_queue(size=None)
    assert capture.messages, "expected the review summary in the logs"
    assert len(strict), "expected clusters to review"
    assert len(queue.items), "expected items in the review queue"
    details = "\n".join([*review["detail"], *strict["detail"], *queue.items["detail"]])
    _assert_nothing_leaked({"logs": "\n".join(capture.messages), "details": details}, personal)


def test_no_personal_data_in_logs_of_scoring(generated, personal):
    leads, result = generated
    ids = leads["lead_id"].tolist()
    events = pd.DataFrame(
        {
            "lead_id": [*ids[:40], *ids[:10], "L-unknown", ids[0]],
            "event": ["visit"] * 40 + ["demo_request"] * 10 + ["visit", "pricing"],
            "timestamp": ["2025-12-01"] * 51 + ["not a time"],
        }
    )
    converted = pd.Series([i % 3 == 0 for i in range(len(leads))], index=leads.index)
    now = "2026-01-01"
    with _capturing_logs() as capture:
        ll.score(leads, events=events, now=now)
        ll.score(leads, events=events, rules="champ", now=now, golden=result.golden)
        ll.score_golden(result.golden, leads, events, now=now)
        model = ll.fit_outcome_model(leads, converted, events=events, now=now)
        ll.score(leads, events=events, rules=model, now=now)
    assert capture.messages, "expected the skipped events and the model fit in the logs"
    _assert_nothing_leaked({"logs": "\n".join(capture.messages)}, personal)


@pytest.mark.parametrize("command", ["dedupe", "check", "score"])
def test_no_personal_data_from_the_command_line_with_debug(
    command, generated, personal, tmp_path, capsys
):
    leads, _ = generated
    path = tmp_path / "leads.csv"
    leads.to_csv(path, index=False)
    with _capturing_logs() as capture:
        code = main([command, str(path), "--output-dir", str(tmp_path / "out"), "--debug"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert printed.out and printed.err  # a summary, and progress messages
    _assert_nothing_leaked(
        {"stderr": printed.err, "stdout": printed.out, "logs": "\n".join(capture.messages)},
        personal,
    )


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
    # the letters of a mailbox name (for a lead without a name) are hashed too
    assert not prepared["name_spelling"].dropna().str.fullmatch("[a-z]+").any()
    # Equal values still meet: the exact-match clusters are the same.
    assert clear.clusters["cluster_id"].nunique() == hashed.clusters["cluster_id"].nunique()


def test_short_hash_keys_are_refused():
    with pytest.raises(ll.ConfigError, match="16 bytes"):
        ll.dedupe(LEADS, hash_key="short")


# ------------------------------------------------ masked and hashed outputs (issue 20)


def _contacts(leads: pd.DataFrame) -> set[str]:
    """Every phone (as entered, E.164 with and without the +, the national number) and
    email (as entered and canonical) of ``leads``."""
    import phonenumbers

    values: set[str] = set()
    for phone in leads["phone"].dropna():
        e164 = ll.normalize.phone(phone) or ""
        values |= {str(phone), e164, e164.removeprefix("+")}
        if e164:
            values.add(str(phonenumbers.parse(e164).national_number))
    for email in leads["email"].dropna():
        values |= {str(email), ll.normalize.email(email) or ""}
    return {value.strip() for value in values if len(value.strip()) >= 6}


def _names(leads: pd.DataFrame) -> set[str]:
    names = (n for n in leads["name"].dropna() if not ll.normalize.is_placeholder_name(n))
    return {
        form
        for name in names
        for form in (str(name).strip(), ll.normalize.name(name), ll.normalize.name_key(name))
        if form
    }


def _output_texts(folder) -> dict[str, str]:
    """Every file of a dedupe output folder as text (Parquet as CSV)."""
    texts = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".parquet":
            texts[path.name] = pd.read_parquet(path).to_csv(index=False)
        else:
            texts[path.name] = path.read_text("utf-8-sig")
    return texts


@pytest.mark.parametrize("mode", ["--mask-outputs", "--hash-outputs"])
def test_no_clear_phone_email_or_name_in_any_output_file_when_masked(
    mode, generated, tmp_path, capsys
):
    leads, _ = generated
    path = tmp_path / "leads.csv"
    leads.to_csv(path, index=False)
    key_file = tmp_path / "key.txt"
    key_file.write_text("a-secret-key-of-32-characters-xx\n", "utf-8")
    out = tmp_path / "out"
    command = ["dedupe", str(path), "--output-dir", str(out), "--quiet", mode, "--mask-names"]
    code = main([*command, "--hash-key-file", str(key_file)])
    assert code == 0, capsys.readouterr().err
    texts = _output_texts(out)
    assert {"golden_records.csv", "lineage.csv", "conflicts.csv", "review.csv"} <= set(texts)
    _assert_nothing_leaked(texts, _contacts(leads))
    # names: no name cell of golden records, lineage or conflicts is a clear name
    names = _names(leads)
    golden = pd.read_csv(out / "golden_records.csv", dtype=str)
    lineage = pd.read_csv(out / "lineage.csv", dtype=str)
    found = pd.read_csv(out / "conflicts.csv", dtype=str)
    shown = [
        *golden["name"].dropna(),
        *lineage.loc[lineage["role"] == "name", "value"],
        *found.loc[found["role"] == "name", "value"],
        *found.loc[found["role"] == "name", "key"].dropna(),
    ]
    assert shown and not names & set(shown)
    assert golden["phone"].notna().any() and golden["email"].notna().any()


def test_masked_outputs_from_python_and_the_clear_default(generated):
    leads, clear = generated
    masked = ll.dedupe(leads, outputs="masked")
    frames = {
        "golden": masked.golden.to_csv(),
        "lineage": masked.lineage().to_csv(),
        "conflicts": masked.conflicts().to_csv(),
        "review": masked.review().to_csv(),
        "review_queue": masked.review_queue(size=None).items.to_csv(),
    }
    _assert_nothing_leaked(frames, _contacts(leads))
    assert masked.golden["phone"].dropna().str.contains(r"\*\*\*", regex=True).all()
    # the same people and the same survivors: only what is shown changed
    pd.testing.assert_frame_equal(masked.clusters, clear.clusters)
    assert masked.golden["phone_from"].tolist() == clear.golden["phone_from"].tolist()
    assert masked.golden["name"].tolist() == clear.golden["name"].tolist()  # names stay
    # by default, phones and emails are shown as entered
    entered = set(leads["phone"].dropna().astype(str))
    assert set(clear.golden["phone"].dropna()) <= entered


def test_hashed_outputs_are_the_keys_the_matching_used(generated):
    leads, _ = generated
    key = "a-secret-key-of-32-characters-xx"
    hashed = ll.dedupe(leads, hash_key=key, outputs="hashed")
    assert hashed.prepared is not None
    tokens = set(hashed.prepared["email"].dropna())
    shown = set(hashed.golden["email"].dropna())
    assert shown and shown <= tokens
    _assert_nothing_leaked({"golden": hashed.golden.to_csv()}, _contacts(leads))
