from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from leadlink.cli import main


@pytest.fixture()
def leads_csv(tmp_path, small_leads):
    path = tmp_path / "leads.csv"
    small_leads.drop(columns=["person_id", "is_ghost"]).head(300).to_csv(path, index=False)
    return path


def test_dedupe_writes_the_outputs(tmp_path, leads_csv, capsys):
    out = tmp_path / "out"
    code = main(["dedupe", str(leads_csv), "--id-column", "lead_id", "--output-dir", str(out)])
    assert code == 0
    for name in (
        "clusters.csv", "golden_records.csv", "lineage.csv", "conflicts.csv", "review.csv",
        "review_all.csv", "pairs.parquet", "pairs.csv", "model.json",
    ):  # fmt: skip
        assert (out / name).exists(), name
    clusters = pd.read_csv(out / "clusters.csv", dtype=str)
    assert len(clusters) == 300
    assert json.loads((out / "model.json").read_text("utf-8"))["format"] == "leadlink-model"
    printed = capsys.readouterr().out
    assert "300 leads" in printed and "to review" in printed
    ids = set(clusters["lead_id"])
    lineage = pd.read_csv(out / "lineage.csv", dtype=str, encoding="utf-8-sig")
    assert {"cluster_id", "role", "value", "lead_id"} <= set(lineage.columns)
    assert set(lineage["lead_id"]) <= ids
    for name, columns in (
        ("conflicts.csv", {"cluster_id", "role", "key", "value", "lead_ids", "survived"}),
        ("review_all.csv", {"cluster_id", "n_leads", "reason", "detail", "lead_ids"}),
        ("review.csv", {"rank", "cluster_id", "n_leads", "reason", "id_l", "id_r",
                        "expected_wrong_leads", "detail", "lead_ids"}),
    ):  # fmt: skip
        table = pd.read_csv(out / name, dtype=str, encoding="utf-8-sig")
        assert columns <= set(table.columns), name
        listed = {lead for cell in table["lead_ids"] for lead in json.loads(cell)}
        assert listed <= ids, name
        assert set(table["cluster_id"]) <= set(clusters["cluster_id"]), name


def test_dedupe_with_a_survivorship_policy(tmp_path, leads_csv):
    policy = tmp_path / "survivorship.json"
    policy.write_text('{"rules": {"name": ["longest"]}}', encoding="utf-8")
    out = tmp_path / "out"
    code = main(
        ["dedupe", str(leads_csv), "--output-dir", str(out), "--policy", str(policy), "--quiet"]
    )
    assert code == 0
    leads = pd.read_csv(leads_csv, dtype=str).set_index("lead_id")
    golden = pd.read_csv(out / "golden_records.csv", dtype=str, encoding="utf-8-sig")
    checked = 0
    for members, name in zip(golden["lead_ids"], golden["name"]):
        names = leads.loc[json.loads(members), "name"].dropna().str.strip()
        if len(names) > 1 and isinstance(name, str):
            assert len(name.strip()) == names.str.len().max()
            checked += 1
    assert checked


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('{"rules": {"email": ["newest"]}}', "unknown survivorship rule 'newest'"),
        ("{rules: }", "not valid JSON"),
        (None, "cannot read the survivorship config"),
    ],
)
def test_dedupe_with_a_bad_policy_exits_2_before_any_work(
    tmp_path, leads_csv, capsys, config, message
):
    policy = tmp_path / "survivorship.json"
    if config is not None:
        policy.write_text(config, encoding="utf-8")
    out = tmp_path / "out"
    argv = ["dedupe", str(leads_csv), "--output-dir", str(out), "--policy", str(policy)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("leadlink: error: ")
    assert message in err[0]
    assert not out.exists()


def test_dedupe_with_a_saved_model_and_a_column_mapping(tmp_path, leads_csv):
    first = tmp_path / "first"
    assert main(["dedupe", str(leads_csv), "--output-dir", str(first), "--quiet"]) == 0
    renamed = pd.read_csv(leads_csv, dtype=str).rename(columns={"phone": "tel_main"})
    renamed_path = tmp_path / "renamed.csv"
    renamed.to_csv(renamed_path, index=False)
    second = tmp_path / "second"
    code = main(
        ["dedupe", str(renamed_path), "--output-dir", str(second), "--column", "phone=tel_main",
         "--model", str(first / "model.json"), "--quiet"]
    )  # fmt: skip
    assert code == 0
    a = pd.read_csv(first / "clusters.csv", dtype=str)
    b = pd.read_csv(second / "clusters.csv", dtype=str)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    "argv",
    [
        ["dedupe", "missing.csv", "--output-dir", "out"],
        ["dedupe", "{csv}", "--output-dir", "{tmp}/o", "--id-column", "nope"],
        ["dedupe", "{csv}", "--output-dir", "{tmp}/o", "--column", "phone"],
        ["dedupe", "{csv}", "--output-dir", "{tmp}/o", "--threshold", "7"],
        ["dedupe", "{csv}", "--output-dir", "{tmp}/o", "--model", "{tmp}/missing.json"],
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, leads_csv, capsys, argv):
    argv = [a.format(csv=leads_csv, tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("leadlink: error: ")
    assert "Traceback" not in "\n".join(err)


def test_empty_file_exits_2(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert main(["dedupe", str(empty), "--output-dir", str(tmp_path / "o")]) == 2
    assert "empty" in capsys.readouterr().err


def test_gbk_and_semicolon_csv_are_read(tmp_path, capsys):
    path = tmp_path / "gbk.csv"
    text = "编号;姓名;手机\n1;张伟;13900139000\n2;張偉;139 0013 9000\n3;李娜;13700137000\n"
    path.write_bytes(text.encode("gbk"))
    assert (
        main(["dedupe", str(path), "--id-column", "编号", "--output-dir", str(tmp_path / "o")]) == 0
    )
    clusters = pd.read_csv(tmp_path / "o" / "clusters.csv", dtype=str, encoding="utf-8-sig")
    assert len(clusters) == 3


def test_demo_runs_and_reports_accuracy(tmp_path, capsys):
    assert main(["demo", "--output-dir", str(tmp_path / "demo"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "pairwise precision" in out and "ghost" in out
    assert (tmp_path / "demo" / "golden_records.csv").exists()


@pytest.mark.parametrize("command", [[], ["dedupe"], ["demo"], ["check"], ["score"]])
def test_help_is_available(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage" in capsys.readouterr().out


def test_dedupe_help_describes_the_policy_file(capsys):
    with pytest.raises(SystemExit):
        main(["dedupe", "--help"])
    text = capsys.readouterr().out
    assert "--policy FILE" in text and "source_priority" in text and "review.csv" in text


def test_check_writes_the_report_and_prints_a_summary(tmp_path, leads_csv, capsys):
    out = tmp_path / "report"
    assert main(["check", str(leads_csv), "--output-dir", str(out), "--quiet"]) == 0
    report = pd.read_csv(out / "validation.csv", dtype=str, encoding="utf-8-sig")
    assert len(report) == 300
    assert {"lead_id", "is_ghost", "problems", "ghost_reasons"} <= set(report.columns)
    assert (out / "missing.csv").exists()
    printed = capsys.readouterr().out
    assert "300 leads checked" in printed and "missing" in printed


def test_check_refuses_a_missing_id_column(tmp_path, leads_csv, capsys):
    out = tmp_path / "out"
    assert main(["check", str(leads_csv), "--output-dir", str(out), "--id-column", "x"]) == 2
    assert "id column" in capsys.readouterr().err


def _score(tmp_path, leads_csv, *options: str) -> pd.DataFrame:
    """Run ``leadlink score`` with ``options``, check it exits 0, return scores.csv."""
    out = tmp_path / "scored"
    argv = ["score", str(leads_csv), "--output-dir", str(out), "--now", "2026-11-22", "--quiet"]
    assert main([*argv, *options]) == 0
    return pd.read_csv(out / "scores.csv", dtype=str, encoding="utf-8-sig")


def test_score_writes_scores_with_tiers_and_reasons(tmp_path, leads_csv, capsys):
    events = tmp_path / "events.csv"
    leads = pd.read_csv(leads_csv, dtype=str)
    pd.DataFrame(
        {
            "lead_id": leads["lead_id"].head(3),
            "event": ["demo_request", "download", "visit"],
            "timestamp": ["2026-11-20", "2026-11-01", "2026-10-01"],
        }
    ).to_csv(events, index=False)
    scores = _score(tmp_path, leads_csv, "--events", str(events))
    assert len(scores) == 300
    assert set(scores["tier"]) <= {"high", "medium", "low"}
    assert "leads scored" in capsys.readouterr().out


def test_score_prints_the_events_it_could_not_count(tmp_path, leads_csv, capsys):
    events = tmp_path / "events.csv"
    first = pd.read_csv(leads_csv, dtype=str)["lead_id"].iloc[0]
    pd.DataFrame(
        {
            "lead_id": [first, first, "no-such-lead"],
            "event": ["demo_request", "visit", "demo_request"],
            "timestamp": ["sometime", "2026-11-20", "2026-11-20"],
        }
    ).to_csv(events, index=False)
    scores = _score(tmp_path, leads_csv, "--events", str(events))
    assert "demo request at an unknown time" in scores.loc[0, "reasons"]
    assert (
        "3 events: 1 left out (0 without a lead id, 1 of an unknown lead, 0 without a type), "
        "1 of unknown time counted at half weight" in capsys.readouterr().out
    )


def test_score_with_bad_rules_exits_2(tmp_path, leads_csv, capsys):
    rules = tmp_path / "rules.json"
    rules.write_text('{"tiers": {"high": "lots"}}', "utf-8")
    assert (
        main(["score", str(leads_csv), "--output-dir", str(tmp_path / "o"), "--rules", str(rules)])
        == 2
    )
    assert "error" in capsys.readouterr().err


def test_score_reads_yaml_rules(tmp_path, leads_csv, capsys):
    pytest.importorskip("yaml")  # the optional extra leadlink[yaml]
    rules = tmp_path / "rules.yaml"
    rules.write_text("tiers:\n  high: 99\n  medium: 98\n", encoding="utf-8")
    scores = _score(tmp_path, leads_csv, "--rules", str(rules))
    assert len(scores) == 300
    # Cut-offs no lead reaches: the YAML was read, not ignored.
    assert set(scores["tier"]) == {"low"}


@pytest.mark.parametrize(
    "argv",
    [
        ["dedupe"],
        ["dedupe", "x.csv", "--output-dir", "o", "--threshold", "abc"],
        ["frob"],
        ["score", "x.csv", "--output-dir", "o", "--no-such-option"],
    ],
    ids=["missing arguments", "not a number", "unknown command", "unknown option"],
)
def test_wrong_options_exit_2_with_one_line(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("leadlink: error: ")
    assert "--help" in err


def test_debug_shows_the_traceback_and_keeps_the_exit_code(tmp_path, capsys):
    missing = tmp_path / "missing.csv"
    assert main(["dedupe", str(missing), "--output-dir", str(tmp_path / "out"), "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert err.rstrip().splitlines()[-1].startswith("leadlink: error: input file")


def test_dedupe_help_names_every_survivorship_rule_and_survived_role():
    """The --policy help is written out (the CLI imports no stage to print its help); it must
    name exactly the registered rules and the survived roles."""
    import argparse
    import re

    from leadlink.cli import _parser
    from leadlink.merge import RULES
    from leadlink.schema import SURVIVED_ROLES

    parser = _parser()
    dedupe = next(
        action.choices["dedupe"]
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    epilog = dedupe.epilog or ""
    listed_rules = re.search(r"Rules, best first: (.*?)\. See", epilog, re.S)
    assert listed_rules is not None
    assert re.findall(r"\b([a-z_]+)\b(?: \([^)]*\))?(?:,|$)", listed_rules.group(1)) == list(RULES)
    listed_roles = re.search(r"Roles: (.*?) \(the others", epilog, re.S)
    assert listed_roles is not None
    assert listed_roles.group(1).split(", ") == list(SURVIVED_ROLES)


# Files read right or refused, and ids that join (issue 20).


def test_a_trailing_comma_on_every_row_gives_the_same_outputs(tmp_path, leads_csv):
    """Exports often end every data row with a separator: the columns shifted one to the
    left (names became ids, every lead a ghost) and the run exited 0."""
    lines = leads_csv.read_text("utf-8").splitlines()
    trailing = tmp_path / "trailing.csv"
    trailing.write_text("\n".join([lines[0], *(line + "," for line in lines[1:])]) + "\n", "utf-8")
    for path, out in ((leads_csv, "plain"), (trailing, "trailing")):
        argv = ["check", str(path), "--id-column", "lead_id", "--output-dir", str(tmp_path / out)]
        assert main([*argv, "--quiet"]) == 0
    plain, shifted = tmp_path / "plain", tmp_path / "trailing"
    for name in ("validation.csv", "missing.csv"):
        assert (plain / name).read_bytes() == (shifted / name).read_bytes()
    report = pd.read_csv(shifted / "validation.csv", dtype=str, encoding="utf-8-sig")
    assert report["lead_id"].tolist() == pd.read_csv(leads_csv, dtype=str)["lead_id"].tolist()


def test_a_row_with_values_beyond_the_header_exits_2_naming_the_row(tmp_path, capsys):
    path = tmp_path / "leads.csv"
    path.write_text("lead_id,name,phone\nL1,张伟,13800138000\nL2,李娜,139,00139000\n", "utf-8")
    assert main(["check", str(path), "--output-dir", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "row 2 " in err and "more values than the header" in err
    assert "李娜" not in err and "00139000" not in err


@pytest.mark.parametrize("command", ["check", "dedupe", "score"])
def test_a_file_without_a_header_row_exits_2_without_personal_data(
    tmp_path, small_leads, capsys, command
):
    leads = small_leads.drop(columns=["person_id", "is_ghost"]).head(50)
    leads = leads[["name", "phone", "email", "company"]].dropna()
    path = tmp_path / "headerless.csv"
    leads.to_csv(path, index=False, header=False)
    assert main([command, str(path), "--output-dir", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "seems to have no header row; add one" in err
    assert "Traceback" not in err
    for value in leads.head(3).to_numpy().ravel():
        assert str(value) not in err


def test_nested_parquet_columns_exit_2(tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "leads.parquet"
    table = pa.table({"lead_id": ["L1", "L2"], "name": ["张伟", "李娜"], "phone": [[1], [2]]})
    pq.write_table(table, path)
    assert main(["dedupe", str(path), "--output-dir", str(tmp_path / "o"), "--quiet"]) == 2
    assert "nested or binary values ('phone')" in capsys.readouterr().err


def _joined_ids(out) -> dict[str, set[str]]:
    """The lead ids every output of ``leadlink dedupe`` names, by output."""
    read = {"dtype": str, "encoding": "utf-8-sig", "keep_default_na": False}
    clusters = pd.read_csv(out / "clusters.csv", **read)
    golden = pd.read_csv(out / "golden_records.csv", **read)
    lineage = pd.read_csv(out / "lineage.csv", **read)
    pairs = pd.read_parquet(out / "pairs.parquet")
    sources = [c for c in golden.columns if c.endswith("_from")]
    return {
        "clusters": set(clusters["lead_id"]),
        "golden": {lead for cell in golden["lead_ids"] for lead in json.loads(cell)},
        "golden_from": {v for c in sources for v in golden[c] if v},
        "lineage": set(lineage["lead_id"]) - {""},
        "pairs": set(pairs["id_l"].astype(str)) | set(pairs["id_r"].astype(str)),
    }


@pytest.mark.parametrize("kind", ["spaces", "floats"])
def test_every_output_writes_the_same_id_text(tmp_path, small_leads, kind):
    """clusters.csv kept " L1" / "0.0" while golden, lineage and pairs said "L1" / "0"."""
    leads = small_leads.drop(columns=["person_id", "is_ghost"]).head(300).reset_index(drop=True)
    if kind == "spaces":
        expected = set(leads["lead_id"])
        leads["lead_id"] = [
            f" {lead}" if i % 3 == 0 else f"{lead}  " if i % 3 == 1 else lead
            for i, lead in enumerate(leads["lead_id"])
        ]
        path = tmp_path / "leads.csv"
        leads.to_csv(path, index=False)
    else:
        expected = {str(i) for i in range(len(leads))}
        leads["lead_id"] = [float(i) for i in range(len(leads))]
        path = tmp_path / "leads.parquet"
        leads.to_parquet(path)
    out = tmp_path / "out"
    assert main(["dedupe", str(path), "--id-column", "lead_id", "--output-dir", str(out)]) == 0
    ids = _joined_ids(out)
    assert ids["clusters"] == expected
    assert ids["golden"] == expected
    assert ids["pairs"] and ids["pairs"] <= expected
    assert ids["lineage"] and ids["lineage"] <= expected
    assert ids["golden_from"] and ids["golden_from"] <= expected


# -- options checked before any work; untrusted option files bounded ------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--region", "XX"], r"region 'XX' is not a phone region.*e\.g\. CN, HK"),
        (["--threshold", "true"], "--threshold: invalid float value: 'true'"),
        (["--threshold", "1.5"], r"threshold must be in \[0, 1\], not 1\.5"),
        (["--max-block-size", str(10**12)], r"max_block_size must be .*\[2, 5000\]"),
        (["--max-pairs", "0"], "max_pairs must be an integer of at least 1"),
        (["--blocking", ""], "blocking must be .* non-empty list .*'phone_name'"),
        (["--blocking", "phone,nope"], "blocking must be .*preset names"),
    ],
)
def test_bad_options_exit_2_before_the_input_is_read(tmp_path, capsys, argv, message):
    """--region XX was accepted silently (then most phones were invalid); the input here
    does not exist, so a run that got as far as reading it would say so instead."""
    out = tmp_path / "out"
    try:
        code = main(["dedupe", str(tmp_path / "absent.csv"), "--output-dir", str(out), *argv])
    except SystemExit as stop:  # argparse: not a number
        code = stop.code
    assert code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert re.search(message, err), err
    assert "absent.csv" not in err


@pytest.mark.parametrize("threshold", ["0", "1"])
def test_threshold_0_and_1_work(tmp_path, leads_csv, capsys, threshold):
    """--threshold 0 failed after training ('cannot_link_below must be between 0 and the
    threshold'); 0 links every scored pair, 1 only the certain ones."""
    out = tmp_path / "out"
    argv = ["dedupe", str(leads_csv), "--output-dir", str(out), "--threshold", threshold]
    assert main(argv) == 0
    clusters = pd.read_csv(out / "clusters.csv")
    pairs = pd.read_parquet(out / "pairs.parquet")
    if threshold == "0":
        # every scored pair is linked: the two leads of each pair share a cluster
        cluster_of = dict(zip(clusters["lead_id"].astype(str), clusters["cluster_id"]))
        assert all(
            cluster_of[left] == cluster_of[right]
            for left, right in zip(pairs["id_l"].astype(str), pairs["id_r"].astype(str))
        )
    else:
        # only pairs scored 1.0 link: each joins at most two clusters into one
        certain = int((pairs["match_probability"] >= 1.0).sum())
        assert clusters["cluster_id"].nunique() >= len(clusters) - certain


def test_max_pairs_stops_before_scoring_and_names_the_preset(tmp_path, leads_csv, capsys):
    out = tmp_path / "out"
    argv = ["dedupe", str(leads_csv), "--output-dir", str(out), "--max-pairs", "100"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert re.search(r"more than max_pairs=100; .*Preset '\w+' makes the most", err), err
    assert "--blocking" in err and "--max-block-size" in err
    assert not (out / "pairs.parquet").exists()


def test_stale_after_without_a_unit_exits_2(tmp_path, leads_csv, capsys):
    """check --stale-after 1000 flagged every lead (1000 nanoseconds)."""
    argv = ["check", str(leads_csv), "--output-dir", str(tmp_path / "o"), "--stale-after"]
    assert main([*argv, "1000"]) == 2
    assert "stale_after='1000' has no unit; write e.g. '180D'" in capsys.readouterr().err
    assert main([*argv, "6M", "--quiet"]) == 0


@pytest.mark.parametrize("option", ["--model", "--policy", "--rules"])
def test_deeply_nested_option_files_exit_2(tmp_path, leads_csv, capsys, option):
    """A deeply nested --model/--policy/--rules file was a RecursionError, exit 1."""
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    command = "score" if option == "--rules" else "dedupe"
    argv = [command, str(leads_csv), "--output-dir", str(tmp_path / "o"), option, str(nested)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "nests objects or lists more than 32 deep" in err
    assert "RecursionError" not in err and "Traceback" not in err


def test_a_model_file_cannot_lift_the_block_cap(tmp_path, leads_csv, capsys):
    """options.max_block_size: 10**12 in a model file was accepted (3,000 namesakes at one
    employer gave 4.5M pairs)."""
    out = tmp_path / "out"
    assert main(["dedupe", str(leads_csv), "--output-dir", str(out), "--quiet"]) == 0
    model = json.loads((out / "model.json").read_text("utf-8"))
    model["options"]["max_block_size"] = 10**12
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(model), "utf-8")
    argv = ["dedupe", str(leads_csv), "--output-dir", str(tmp_path / "o2"), "--model"]
    assert main([*argv, str(edited)]) == 2
    err = capsys.readouterr().err
    assert "options.max_block_size must be an integer in [2, 5000], not 1000000000000" in err


# -- messages in the reader's language -----------------------------------------------------


def test_lang_zh_writes_summaries_reasons_and_errors_in_chinese(tmp_path, leads_csv, capsys):
    out = tmp_path / "report"
    assert main(["--lang", "zh", "check", str(leads_csv), "--output-dir", str(out)]) == 0
    captured = capsys.readouterr()
    assert "已检查 300 条线索：" in captured.out and "角色" in captured.out
    assert "leadlink: ... 正在读取" in captured.err
    report = pd.read_csv(out / "validation.csv", dtype=str, encoding="utf-8-sig").fillna("")
    ghost_reasons = [r for r in report["ghost_reasons"] if r]
    assert ghost_reasons and all(re.search("[\u4e00-\u9fff]", r) for r in ghost_reasons)
    assert "phone.placeholder" in ";".join(report["problems"].fillna(""))  # codes stay
    scored = tmp_path / "scored"
    argv = ["score", str(leads_csv), "--output-dir", str(scored), "--now", "2026-11-22"]
    assert main([*argv, "--lang", "zh", "--quiet"]) == 0  # after the command as well
    assert "条线索打分：high" in capsys.readouterr().out
    scores = pd.read_csv(scored / "scores.csv", dtype=str, encoding="utf-8-sig").fillna("")
    assert any("有效（+" in r for r in scores["reasons"])
    assert set(scores["tier"]) <= {"high", "medium", "low"}
    # an error, and a wrong option refused by argparse, in Chinese too
    assert main(["--lang=zh", "check", str(leads_csv), "--output-dir", str(out), "--id-column",
                 "x", "--overwrite"]) == 2  # fmt: skip
    assert "\nleadlink: 错误：输入中没有 ID 列 'x'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["--lang", "zh", "check", "--no-such-option"])
    assert exit_info.value.code == 2
    assert "（参见 leadlink check --help）" in capsys.readouterr().err


def test_lang_is_checked_and_does_not_outlive_the_command(tmp_path, leads_csv, capsys):
    from leadlink._i18n import get_language

    with pytest.raises(SystemExit) as exit_info:
        main(["--lang", "fr", "demo"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err
    out = tmp_path / "report"
    assert main(["--lang", "zh", "check", str(leads_csv), "--output-dir", str(out), "--quiet"]) == 0
    assert get_language() == "en"
    assert main(["check", str(leads_csv), "--output-dir", str(out), "--quiet"]) == 0
    assert "300 leads checked" in capsys.readouterr().out


def test_leadlink_lang_in_the_environment_chooses_chinese(tmp_path, leads_csv):
    import os
    import subprocess
    import sys

    out = tmp_path / "scored"
    argv = ["score", str(leads_csv), "--output-dir", str(out), "--now", "2026-11-22"]
    environment = {**os.environ, "LEADLINK_LANG": "zh"}
    done = subprocess.run([sys.executable, "-m", "leadlink", *argv], capture_output=True,
                          text=True, env=environment, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("已为 300 条线索打分：")
    assert "正在读取" in done.stderr
    english = subprocess.run([sys.executable, "-m", "leadlink", "--lang", "en", *argv,
                              "--overwrite"], capture_output=True, text=True,
                             env=environment, timeout=300)  # fmt: skip
    assert english.stdout.startswith("300 leads scored:"), english.stderr


# -- learning from outcomes and reviewing the rules ------------------------------------------


def _outcomes_csv(tmp_path, n: int = 1200, seed: int = 5):
    """Leads whose conversion rises with a senior title, a stated budget and visits, and
    falls for ads; ``status_after`` is the outcome in disguise (a leak); ``converted``
    holds words, in English and Chinese."""
    import numpy as np

    rng = np.random.default_rng(seed)
    titles = rng.choice(["总监", "经理", "工程师", "CEO", ""], size=n)
    budget = rng.choice(["50万", ""], size=n, p=[0.3, 0.7])
    visits = rng.poisson(3, size=n)
    source = rng.choice(["web", "referral", "ads"], size=n)
    log_odds = (
        -1.5
        + 1.5 * np.isin(titles, ["总监", "CEO"])
        + 1.2 * (budget != "")
        + 0.3 * np.minimum(visits, 6)
        - 1.0 * (source == "ads")
    )
    converted = rng.random(n) < 1 / (1 + np.exp(-log_odds))
    created = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 500, n), "D")
    words = np.where(rng.random(n) < 0.5, "Yes", "是"), np.where(rng.random(n) < 0.5, "No", "否")
    leads = pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(n)],
            "title": titles,
            "budget": budget,
            "visits": visits,
            "source": source,
            "created_at": created.strftime("%Y-%m-%d"),
            "status_after": np.where(converted, "closed won", "lost"),
            "converted": np.where(converted, *words),
        }
    )
    path = tmp_path / "outcomes.csv"
    leads.to_csv(path, index=False)
    return path, converted


def _learn(tmp_path, path, *options: str) -> list[str]:
    model = tmp_path / "model.json"
    return ["learn", str(path), "--converted", "converted", "--output", str(model),
            "--now", "2025-06-30", "--method", "logistic", *options]  # fmt: skip


def test_learn_saves_the_model_and_prints_the_evaluation_and_the_leak(tmp_path, capsys):
    from leadlink.identify import OutcomeModel

    path, _ = _outcomes_csv(tmp_path)
    assert main(_learn(tmp_path, path)) == 0
    captured = capsys.readouterr()
    model = OutcomeModel.load(tmp_path / "model.json")
    assert "status_after" in model.leaky and "status_after" not in model.columns
    assert {"visits", "source"} <= set(model.columns)
    out = captured.out
    assert out.startswith("outcome model: logistic")
    assert "evaluated on the 300 newest leads, learnt from the 900 older ones" in out
    assert re.search(r"holdout AUC 0\.\d{3} \(the rules: 0\.\d{3}\); the high tier converts", out)
    assert "calibration error" in out and "lift per tier (held out): high " in out
    assert "learnt from 2 column(s): visits (number), source (category)" in out
    assert "  status_after: leak: " in out and "  created_at: " in out
    assert f"saved the model to {tmp_path / 'model.json'}" in out
    # the leakage guard's warning, as a message on stderr and not a traceback
    assert "leadlink: warning: left out 1 column(s) that look like the outcome" in captured.err
    assert "--keep COLUMN" in captured.err
    assert "Traceback" not in captured.err and "UserWarning" not in captured.err
    # --keep learns from it anyway; the file leadlink wrote is replaced without --overwrite
    assert main([*_learn(tmp_path, path, "--keep", "status_after"), "--quiet"]) == 0
    assert "status_after" in OutcomeModel.load(tmp_path / "model.json").columns
    assert "warning" not in capsys.readouterr().err


def test_learn_refuses_a_missing_outcome_column_and_a_file_it_did_not_write(tmp_path, capsys):
    path, _ = _outcomes_csv(tmp_path, n=200)
    argv = _learn(tmp_path, path)
    argv[argv.index("--converted") + 1] = "won"
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "no column 'won' in the leads to read the outcome from" in err
    assert "Traceback" not in err
    other = tmp_path / "model.json"
    other.write_text("my notes", "utf-8")
    assert main(_learn(tmp_path, path)) == 2
    assert "is not an outcome model leadlink wrote" in capsys.readouterr().err
    assert other.read_text("utf-8") == "my notes"
    argv = _learn(tmp_path, path)
    argv[argv.index("--output") + 1] = str(tmp_path / "no" / "model.json")
    assert main(argv) == 2
    assert "does not exist; create it first" in capsys.readouterr().err


def test_score_with_a_learnt_model_writes_probabilities(tmp_path, capsys):
    path, converted = _outcomes_csv(tmp_path)
    assert main([*_learn(tmp_path, path), "--quiet"]) == 0
    out = tmp_path / "scored"
    argv = ["score", str(path), "--model", str(tmp_path / "model.json"), "--output-dir", str(out),
            "--now", "2025-06-30", "--quiet"]  # fmt: skip
    assert main(argv) == 0
    assert "1200 leads scored:" in capsys.readouterr().out
    scores = pd.read_csv(out / "scores.csv", encoding="utf-8-sig")
    assert list(scores.columns) == ["lead_id", "score", "probability", "tier", "stage", "reasons"]
    assert scores["probability"].between(0, 1).all()
    assert scores["score"].to_numpy() == pytest.approx(100 * scores["probability"], abs=0.051)
    assert scores["reasons"].str.contains(r"\[data\]|\[rule\]").any()
    from leadlink.identify._measures import auc

    assert auc(converted, scores["probability"]) > 0.65


def test_score_with_a_model_and_rules_exits_2_with_one_line(tmp_path, capsys):
    path, _ = _outcomes_csv(tmp_path, n=200)
    model = tmp_path / "model.json"
    model.write_text("{}", "utf-8")
    argv = ["score", str(path), "--model", str(model), "--rules", "champ", "--output-dir",
            str(tmp_path / "out")]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "leadlink: error: give --model or --rules, not both" in err
    assert not (tmp_path / "out").exists()
    # a file that is no model, alone, is refused just as clearly
    assert (
        main(["score", str(path), "--model", str(model), "--output-dir", str(tmp_path / "o")]) == 2
    )
    assert "not a leadlink OutcomeModel" in capsys.readouterr().err


def test_review_rules_writes_the_tables_and_prints_the_summary(tmp_path, capsys):
    from leadlink.identify import RuleReview

    path, converted = _outcomes_csv(tmp_path)
    out = tmp_path / "review"
    argv = ["review-rules", str(path), "--converted", "converted", "--now", "2025-06-30",
            "--output-dir", str(out), "--quiet"]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Rule review: 1200 leads, ")
    assert "The rules' score: AUC 0." in printed and "budget stated" in printed
    assert "wrote rules.csv, tiers.csv, misclassified.csv, review.json to " in printed
    rules = pd.read_csv(out / "rules.csv", encoding="utf-8-sig").set_index("rule")
    assert rules.loc["budget stated", "lift"] > 1.1
    assert rules.loc["budget stated", "verdict"] in ("keep", "raise")
    assert {"leads", "conversion_rate", "points", "suggested_points", "advice"} <= set(rules)
    tiers = pd.read_csv(out / "tiers.csv", encoding="utf-8-sig")
    assert list(tiers["cutoffs"]) == ["current"] * 3 + ["suggested"] * 3
    assert list(tiers["tier"]) == ["high", "medium", "low"] * 2
    assert tiers.groupby("cutoffs")["leads"].sum().tolist() == [1200, 1200]
    assert list(tiers["starts_at"][:3]) == [70, 40, 0]
    wrong = pd.read_csv(out / "misclassified.csv", encoding="utf-8-sig", dtype={"converted": str})
    assert list(wrong.columns) == ["row", "lead_id", "score", "tier", "converted", "reasons"]
    assert len(wrong) > 0
    assert set(zip(wrong["tier"], wrong["converted"])) <= {("high", "False"), ("low", "True")}
    assert (wrong["lead_id"] == "L" + (wrong["row"] - 1).astype(str)).all()
    assert converted[wrong["row"] - 1].tolist() == (wrong["converted"] == "True").tolist()
    review = RuleReview.from_dict(json.loads((out / "review.json").read_text("utf-8")))
    assert review.n_leads == 1200 and review.n_converted == converted.sum()
    assert len(review.misclassified) == len(wrong)


def test_review_rules_refuses_one_sided_outcomes(tmp_path, capsys):
    path = tmp_path / "leads.csv"
    pd.DataFrame({"lead_id": ["a", "b", "c"], "title": ["CEO"] * 3, "won": ["yes"] * 3}).to_csv(
        path, index=False
    )
    argv = ["review-rules", str(path), "--converted", "won", "--output-dir", str(tmp_path / "o")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "leadlink: error: cannot review the rules: only 0 lead(s) with converted=0" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["learn", "review-rules"])
def test_help_of_learn_and_review_rules(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "--converted" in capsys.readouterr().out


# leadlink rethreshold, and dedupe --decisions


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory, small_leads):
    """One ``leadlink dedupe`` output of 300 generated leads, for the rethreshold tests to
    read (never to change): (leads file, output folder)."""
    folder = tmp_path_factory.mktemp("saved")
    leads = folder / "leads.csv"
    small_leads.drop(columns=["person_id", "is_ghost"]).head(300).to_csv(leads, index=False)
    out = folder / "out"
    assert main(["dedupe", str(leads), "--output-dir", str(out), "--quiet", "--lang", "en"]) == 0
    return leads, out


def _read_csv(path):
    return pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)


def _rethreshold(folder, out, *options: str) -> int:
    return main(["rethreshold", str(folder), "--output-dir", str(out), "--quiet", *options])


def _linked_in(out) -> tuple[str, str]:
    """Two leads of one cluster of two in a dedupe output folder."""
    clusters = _read_csv(out / "clusters.csv")
    sizes = clusters["cluster_id"].value_counts()
    pair = clusters[clusters["cluster_id"] == sizes[sizes == 2].index[0]]["lead_id"]
    return pair.iloc[0], pair.iloc[1]


def test_rethreshold_writes_dedupe_outputs_at_the_new_threshold(tmp_path, saved_run, capsys):
    _, run = saved_run
    capsys.readouterr()
    out = tmp_path / "strict"
    assert _rethreshold(run, out, "--threshold", "0.99") == 0
    files = {"clusters.csv", "golden_records.csv", "lineage.csv", "conflicts.csv", "review.csv",
             "review_all.csv", "pairs.parquet", "pairs.csv", "model.json"}  # fmt: skip
    manifest = json.loads((out / "leadlink-run.json").read_text("utf-8"))
    assert set(manifest["files"]) == files
    assert manifest["command"] == "rethreshold"
    assert manifest["options"]["settings"]["threshold"] == 0.99
    before, after = _read_csv(run / "clusters.csv"), _read_csv(out / "clusters.csv")
    assert after["lead_id"].tolist() == before["lead_id"].tolist()
    assert after["cluster_id"].nunique() > before["cluster_id"].nunique()
    assert len(_read_csv(out / "golden_records.csv")) == after["cluster_id"].nunique()
    printed = capsys.readouterr().out
    assert "300 leads -> " in printed
    assert re.search(r"re-clustered at threshold 0\.99 \(the run's: 0\.5\) in \d+\.\d\d s", printed)
    assert "without training or scoring" in printed


def test_rethreshold_at_the_run_threshold_writes_the_run_outputs(tmp_path, saved_run):
    _, run = saved_run
    out = tmp_path / "same"
    assert _rethreshold(run, out, "--threshold", "0.5") == 0
    for name in ("clusters.csv", "golden_records.csv", "lineage.csv", "conflicts.csv",
                 "review.csv", "review_all.csv", "model.json"):  # fmt: skip
        assert (out / name).read_bytes() == (run / name).read_bytes(), name
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "pairs.parquet"), pd.read_parquet(run / "pairs.parquet")
    )


def test_rethreshold_a_lower_threshold_merges_more(tmp_path, saved_run):
    _, run = saved_run
    assert _rethreshold(run, tmp_path / "loose", "--threshold", "0.05") == 0
    before = _read_csv(run / "clusters.csv")["cluster_id"].nunique()
    assert _read_csv(tmp_path / "loose" / "clusters.csv")["cluster_id"].nunique() <= before


def test_rethreshold_of_its_own_output_and_into_the_same_folder(tmp_path, saved_run):
    _, run = saved_run
    first = tmp_path / "first"
    assert _rethreshold(run, first, "--threshold", "0.99") == 0
    assert _rethreshold(first, first, "--threshold", "0.5") == 0  # back, in place
    assert (first / "clusters.csv").read_bytes() == (run / "clusters.csv").read_bytes()


def test_dedupe_and_rethreshold_honour_decisions(tmp_path, saved_run, caplog):
    leads, run = saved_run
    left, right = _linked_in(run)
    labels = tmp_path / "labels.csv"
    labels.write_text(f"id_l,id_r,label\n{right},{left},否\nL404,{left},是\n", encoding="utf-8")
    out = tmp_path / "decided"
    assert main(["dedupe", str(leads), "--output-dir", str(out), "--quiet",
                 "--model", str(run / "model.json"), "--decisions", str(labels)]) == 0  # fmt: skip
    assert "1 decision(s) name a lead that is not in the data" in caplog.text
    assert "L404" not in caplog.text
    decided = _read_csv(out / "decisions.csv")
    assert sorted(decided.itertuples(index=False, name=None)) == sorted(
        [(*sorted(["L404", left]), "match"), (*sorted([left, right]), "non_match")]
    )
    cluster = _read_csv(out / "clusters.csv").set_index("lead_id")["cluster_id"]
    assert cluster[left] != cluster[right]
    # Re-thresholded lower, the saved decision still keeps them apart; a new one is added.
    other = _read_csv(run / "clusters.csv")["lead_id"].iloc[-1]
    more = tmp_path / "more.csv"
    more.write_text(f"id_l,id_r,label\n{left},{other},match\n", encoding="utf-8")
    again = tmp_path / "again"
    assert _rethreshold(out, again, "--threshold", "0.1", "--decisions", str(more)) == 0
    cluster = _read_csv(again / "clusters.csv").set_index("lead_id")["cluster_id"]
    assert cluster[left] != cluster[right]
    assert cluster[left] == cluster[other]
    assert len(_read_csv(again / "decisions.csv")) == 3


def test_dedupe_refuses_a_bad_decisions_file_before_reading_the_leads(tmp_path, capsys):
    labels = tmp_path / "labels.csv"
    labels.write_text("id_l,id_r,label\nL1,L2,maybe\n", encoding="utf-8")
    argv = ["dedupe", str(tmp_path / "absent.csv"), "--output-dir", str(tmp_path / "o"),
            "--decisions", str(labels)]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "neither match nor non_match" in err and "absent.csv" not in err


def test_rethreshold_reads_moved_leads_from_input(tmp_path, saved_run, capsys):
    leads, run = saved_run
    copy = _copy_run(run, tmp_path / "run", leads_file=str(tmp_path / "moved-away.csv"))
    capsys.readouterr()
    assert _rethreshold(copy, tmp_path / "o", "--threshold", "0.9") == 2
    err = capsys.readouterr().err
    assert "moved-away.csv" in err and "--input" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()
    assert _rethreshold(copy, tmp_path / "o", "--threshold", "0.9", "--input", str(leads)) == 0


def test_rethreshold_refuses_leads_that_are_not_the_run_s(tmp_path, saved_run, capsys):
    leads, run = saved_run
    fewer = tmp_path / "fewer.csv"
    pd.read_csv(leads, dtype=str).head(100).to_csv(fewer, index=False)
    capsys.readouterr()
    assert _rethreshold(run, tmp_path / "o", "--threshold", "0.9", "--input", str(fewer)) == 2
    err = capsys.readouterr().err
    assert "200 of the run's 300 leads are not in the leads given" in err


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("no folder", r"'.*absent' is not a folder; give the --output-dir of a leadlink dedupe"),
        ("no pairs", r"has no pairs\.parquet, so it is not the output folder of a leadlink"),
        ("no clusters", r"has no clusters\.csv, so it is not the output folder"),
        ("no settings", r"does not record the run's settings .* run leadlink dedupe again"),
    ],
)
def test_rethreshold_of_a_folder_it_cannot_use_exits_2(tmp_path, saved_run, capsys, broken,
                                                       message):  # fmt: skip
    _, run = saved_run
    folder = tmp_path / "absent"
    if broken != "no folder":
        folder.mkdir()
        for path in run.iterdir():
            if path.is_file() and not path.name.startswith("."):
                (folder / path.name).write_bytes(path.read_bytes())
        if broken == "no pairs":
            (folder / "pairs.parquet").unlink()
        elif broken == "no clusters":
            (folder / "clusters.csv").unlink()
        else:
            manifest = json.loads((folder / "leadlink-run.json").read_text("utf-8"))
            del manifest["options"]["settings"]
            (folder / "leadlink-run.json").write_text(json.dumps(manifest), encoding="utf-8")
    capsys.readouterr()
    assert _rethreshold(folder, tmp_path / "o", "--threshold", "0.9") == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert re.search(message, err), err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("threshold", ["1.5", "-0.1", "nan"])
def test_rethreshold_refuses_a_bad_threshold_before_reading(tmp_path, capsys, threshold):
    assert _rethreshold(tmp_path / "absent", tmp_path / "o", "--threshold", threshold) == 2
    err = capsys.readouterr().err
    assert "threshold must be" in err and "absent" not in err


def test_rethreshold_of_a_hashed_run_needs_its_key(tmp_path, saved_run, capsys):
    leads, _ = saved_run
    key = tmp_path / "key.txt"
    key.write_text("k" * 32 + "\n", encoding="utf-8")
    out = tmp_path / "hashed"
    assert main(["dedupe", str(leads), "--output-dir", str(out), "--quiet",
                 "--hash-key-file", str(key), "--hash-outputs"]) == 0  # fmt: skip
    again = tmp_path / "again"
    assert _rethreshold(out, again, "--threshold", "0.5") == 0  # the run's key file
    for name in ("clusters.csv", "golden_records.csv", "lineage.csv"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name
    moved = tmp_path / "moved.txt"
    key.rename(moved)
    capsys.readouterr()
    assert _rethreshold(out, tmp_path / "o", "--threshold", "0.5") == 2
    assert "--hash-key-file" in capsys.readouterr().err
    assert (
        _rethreshold(out, tmp_path / "o", "--threshold", "0.5", "--hash-key-file", str(moved)) == 0
    )


def _copy_run(run, folder, **settings):
    """A copy of a dedupe output folder, its manifest's settings changed by ``settings``
    (``command=`` changes the command)."""
    folder.mkdir()
    for path in run.iterdir():
        if path.is_file() and not path.name.startswith("."):
            (folder / path.name).write_bytes(path.read_bytes())
    manifest = json.loads((folder / "leadlink-run.json").read_text("utf-8"))
    manifest["command"] = settings.pop("command", manifest["command"])
    manifest["options"]["settings"].update(settings)
    (folder / "leadlink-run.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_rethreshold_of_a_demo_folder_reads_the_sample(tmp_path, saved_run, small_leads,
                                                       monkeypatch, capsys):  # fmt: skip
    """A demo run records no leads file: its leads are the bundled sample's (here, the
    saved run's leads stand in for the sample, truth columns and all)."""
    import leadlink.datasets

    _, run = saved_run
    demo = _copy_run(run, tmp_path / "demo", command="demo", leads_file=None)
    monkeypatch.setattr(leadlink.datasets, "load_sample", lambda: small_leads.head(300))
    assert _rethreshold(demo, tmp_path / "o", "--threshold", "0.9") == 0
    assert "re-clustered at threshold 0.9" in capsys.readouterr().out
    not_demo = _copy_run(run, tmp_path / "other", leads_file=None)
    assert _rethreshold(not_demo, tmp_path / "o2", "--threshold", "0.9") == 2
    assert "did not record the leads file it read; give it with --input" in capsys.readouterr().err


def test_rethreshold_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["rethreshold", "--help"])
    assert exit_info.value.code == 0
    shown = capsys.readouterr().out
    assert "--threshold" in shown and "--input" in shown and "--decisions" in shown


# ---------------------------------------------------------------- Excel in and out


@pytest.fixture()
def leads_xlsx(tmp_path, small_leads):
    """The 300 leads on a workbook's second sheet, "线索", after a notes sheet."""
    from openpyxl import Workbook

    leads = small_leads.drop(columns=["person_id", "is_ghost"]).head(300)
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["导出说明"])
    sheet = book.create_sheet("线索")
    sheet.append(leads.columns.tolist())
    for row in leads.itertuples(index=False):
        sheet.append([None if pd.isna(value) else str(value) for value in row])
    path = tmp_path / "leads.xlsx"
    book.save(path)
    return path


def test_dedupe_reads_a_sheet_and_writes_pairs_csv(tmp_path, leads_xlsx, capsys):
    from leadlink.io import read_leads

    out = tmp_path / "out"
    code = main(["dedupe", str(leads_xlsx), "--sheet", "线索", "--output-dir", str(out), "--quiet"])
    assert code == 0
    assert "pairs.parquet, pairs.csv" in capsys.readouterr().out
    assert len(pd.read_csv(out / "clusters.csv", dtype=str)) == 300
    # pairs.csv: the same pairs as pairs.parquet, UTF-8 with a BOM like every other CSV
    assert (out / "pairs.csv").read_bytes().startswith(b"\xef\xbb\xbfid_l,id_r,")
    pairs = pd.read_csv(out / "pairs.csv", dtype=str, encoding="utf-8-sig")
    parquet = pd.read_parquet(out / "pairs.parquet")
    assert len(pairs) == len(parquet) > 0
    assert pairs["id_l"].tolist() == parquet["id_l"].astype(str).tolist()
    # read as leadlink reads it: "+49...;ext=3504" is written "'+49...;ext=3504" (a formula)
    golden = read_leads(out / "golden_records.csv")
    assert golden["phone_normalized"].dropna().str.fullmatch(r"\+\d+(;ext=\d+)?").all()
    assert golden["email_normalized"].notna().any()

    # the input was a workbook: the golden records and clusters are workbooks too
    pd.testing.assert_frame_equal(read_leads(out / "golden_records.xlsx"), golden)
    pd.testing.assert_frame_equal(
        read_leads(out / "clusters.xlsx"), read_leads(out / "clusters.csv")
    )

    # rethreshold reads the leads again from the run's sheet
    again = tmp_path / "r"
    assert main(["rethreshold", str(out), "--threshold", "0.9", "--output-dir", str(again)]) == 0
    assert (again / "golden_records.xlsx").exists() and (again / "clusters.xlsx").exists()
    # erase takes the lead out of pairs.csv and the workbooks too, not only out of
    # pairs.parquet and the CSVs
    lead = pairs["id_l"].iloc[0]
    assert main(["erase", "--output-dir", str(out), "--lead-id", lead]) == 0
    left = pd.read_csv(out / "pairs.csv", dtype=str, encoding="utf-8-sig")
    assert lead not in set(left["id_l"]) | set(left["id_r"])
    assert len(left) == len(pd.read_parquet(out / "pairs.parquet"))
    for name in ("clusters.xlsx", "golden_records.xlsx"):
        text = read_leads(out / name).to_csv()
        assert lead not in text, name
    pd.testing.assert_frame_equal(
        read_leads(out / "clusters.xlsx"), read_leads(out / "clusters.csv")
    )


def test_dedupe_excel_option_for_a_csv_input(tmp_path, leads_csv, capsys):
    out = tmp_path / "out"
    assert main(["dedupe", str(leads_csv), "--excel", "--output-dir", str(out), "--quiet"]) == 0
    assert "model.json, golden_records.xlsx, clusters.xlsx to" in capsys.readouterr().out
    from leadlink.io import read_leads

    assert len(read_leads(out / "golden_records.xlsx")) == len(
        read_leads(out / "golden_records.csv")
    )


def test_sheet_by_position_and_a_missing_sheet(tmp_path, leads_xlsx, capsys):
    code = main(["score", str(leads_xlsx), "--sheet", "1", "--output-dir", str(tmp_path / "s")])
    assert code == 0
    assert len(pd.read_csv(tmp_path / "s" / "scores.csv", dtype=str)) == 300
    capsys.readouterr()
    code = main(["check", str(leads_xlsx), "--sheet", "Leads", "--output-dir", str(tmp_path / "c")])
    assert code == 2
    assert "no sheet 'Leads'; its sheets are 0: '说明', 1: '线索'" in capsys.readouterr().err
    # the first sheet by default: here a notes sheet without an id column
    assert main(["check", str(leads_xlsx), "--output-dir", str(tmp_path / "c2")]) == 2


def test_a_csv_named_xlsx_is_refused_saying_so(tmp_path, leads_csv, capsys):
    renamed = tmp_path / "leads.xlsx"
    renamed.write_bytes(leads_csv.read_bytes())
    assert main(["check", str(renamed), "--output-dir", str(tmp_path / "c")]) == 2
    assert "it holds text, most likely a CSV file" in capsys.readouterr().err


# ------------------------------------------------ mapping that fits real files, no silent no-op


def test_dedupe_that_cannot_look_for_duplicates_warns_and_exits_3(tmp_path, capsys):
    path = tmp_path / "accounts.csv"
    pd.DataFrame({"Id": [f"A{i}" for i in range(30)], "company": ["Acme"] * 30}).to_csv(
        path, index=False
    )
    out = tmp_path / "out"
    assert main(["dedupe", str(path), "--output-dir", str(out), "--quiet"]) == 3
    err = capsys.readouterr().err
    assert "leadlink: warning: no 'lead_id' column: the lead ids are taken from 'Id'" in err
    assert "leadlink: warning: nothing could be trained" in err
    assert "leadlink: warning: no pair of leads was compared" in err
    assert "(exit code 3)" in err
    # the outputs are written all the same: every lead alone
    assert len(pd.read_csv(out / "clusters.csv", dtype=str)) == 30


def test_dedupe_unmaps_a_detected_role_and_compares_its_column(tmp_path, capsys):
    from tests.test_mapping import organisations

    path = tmp_path / "sites.csv"
    organisations().drop(columns=["Id"]).to_csv(path, index=False)
    out = tmp_path / "out"
    argv = ["dedupe", str(path), "--output-dir", str(out), "--quiet", "--column", "phone=",
            "--column", "company=Site name", "--extra", "Phone=exact", "--must-link", "email"]  # fmt: skip
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "numbered row_1 to row_180" in err
    assert "not used for matching" not in err and "exit code" not in err
    clusters = pd.read_csv(out / "clusters.csv", dtype=str, encoding="utf-8-sig")
    assert list(clusters.columns) == ["row_id", "cluster_id"]
    assert clusters["row_id"].iloc[0] == "row_1"
    assert clusters["cluster_id"].iloc[0] == clusters["cluster_id"].iloc[1]
    assert "Phone_level" in pd.read_parquet(out / "pairs.parquet").columns
    model = ll_model(out)
    assert model.extra == {"Phone": "exact"} and model.must_link == ("email",)
    # rethreshold numbers the leads again and keeps the phone unmapped
    again = tmp_path / "again"
    assert main(["rethreshold", str(out), "--threshold", "0.9", "--output-dir", str(again)]) == 0
    assert pd.read_csv(again / "clusters.csv", dtype=str, encoding="utf-8-sig").equals(clusters)


def ll_model(out):
    from leadlink import LeadModel

    return LeadModel.load(out / "model.json")


def test_column_no_role_and_extra_options_are_read():
    from leadlink.cli._common import _columns, _extra

    assert _columns(["phone=", "name=姓名"], ["email"]) == {
        "phone": None, "name": "姓名", "email": None,
    }  # fmt: skip
    assert _extra(["Address=fuzzy", "a=b=exact"]) == {"Address": "fuzzy", "a=b": "exact"}


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--extra", "Address"], "--extra takes COLUMN=KIND"),
        (["--column", "=x"], "--column takes ROLE=COLUMN"),
    ],
)
def test_bad_mapping_options_exit_2(tmp_path, leads_csv, capsys, option, message):
    argv = ["dedupe", str(leads_csv), "--output-dir", str(tmp_path / "o"), *option]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def _configured(tmp_path, config, *argv: str):
    from leadlink.cli import _parser
    from leadlink.cli._common import _apply_config

    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    full = ["dedupe", "leads.csv", "--output-dir", "o", "--config", str(path), *argv]
    args = _parser().parse_args(full)
    args.flags_given = sorted({a.split("=")[0] for a in full if a.startswith("--")})
    _apply_config(args)
    return args


def test_a_config_file_fills_the_options_the_command_line_leaves_out(tmp_path):
    config = {
        "id_column": "Id", "columns": {"phone": None, "company": "Site name"},
        "extra_columns": {"Phone": "exact"}, "must_link": ["email"], "never_link": ["Phone"],
        "region": "US", "threshold": 0.9, "hash_key_file": "key.txt", "outputs": "masked",
    }  # fmt: skip
    args = _configured(tmp_path, config)
    assert (args.id_column, args.region, args.threshold) == ("Id", "US", 0.9)
    assert (args.must_link, args.never_link) == (["email"], ["Phone"])
    assert args.config_columns == {"phone": None, "company": "Site name"}
    assert args.config_extra == {"Phone": "exact"}
    assert args.hash_key_file == str(tmp_path / "key.txt")
    assert args.mask_outputs and not args.hash_outputs
    args = _configured(
        tmp_path, config, "--region", "CN", "--threshold", "0.5", "--id-column", "lead_id",
        "--must-link", "name",
    )  # fmt: skip
    assert (args.id_column, args.region, args.threshold) == ("lead_id", "CN", 0.5)
    assert args.must_link == ["name"]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"colums": {}}, "unknown setting 'colums'"),
        ({"threshold": "high"}, "threshold must be a number"),
        ({"columns": ["phone"]}, "columns must be"),
        ([1, 2], "must hold an object of settings"),
    ],
)
def test_a_bad_config_file_exits_2_before_reading(tmp_path, capsys, config, message):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    argv = ["dedupe", str(tmp_path / "absent.csv"), "--output-dir", str(tmp_path / "o"),
            "--config", str(path)]  # fmt: skip
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_review_csv_is_the_ranked_queue_of_the_size_asked(tmp_path, small_leads, capsys):
    leads = small_leads.drop(columns=["person_id", "is_ghost"]).head(300).copy()
    leads["amount"] = range(len(leads))
    path = tmp_path / "leads.csv"
    leads.to_csv(path, index=False)
    out = tmp_path / "out"
    options = ["--review-size", "4", "--review-value", "amount", "--quiet", "--lang", "en"]
    assert main(["dedupe", str(path), "--output-dir", str(out), *options]) == 0
    printed = capsys.readouterr().out
    queue = _read_csv(out / "review.csv")
    assert len(queue) == 4 and queue["rank"].tolist() == ["1", "2", "3", "4"]
    values = queue["expected_value"].astype(float)
    assert values.is_monotonic_decreasing
    total = int(re.search(r"4 of (\d+) review items queued", printed).group(1))
    # --review-size 0: every item, from the saved pairs without training
    every = tmp_path / "every"
    options = ["--threshold", "0.5", "--review-size", "0", "--review-value", "amount"]
    assert _rethreshold(out, every, *options) == 0
    assert len(_read_csv(every / "review.csv")) == total
    assert "left out" not in capsys.readouterr().out.split("review.csv:")[1].split(";")[0]


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--review-size", "-1"], "--review-size"),
        (["--review-value", "no_such_column"], "no_such_column"),
    ],
)
def test_bad_review_options_stop_before_any_output(tmp_path, leads_csv, capsys, options, said):
    out = tmp_path / "out"
    argv = ["dedupe", str(leads_csv), "--output-dir", str(out), "--lang", "en", *options]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert said in err and "internal error" not in err
    assert not out.exists()


def test_pairs_that_do_not_fit_a_sheet_are_written_to_parquet_only(
    tmp_path, leads_csv, capsys, monkeypatch
):
    import leadlink.io

    real = leadlink.io.fits_excel
    # as if the pairs had more rows than a sheet holds (a million leads make millions)
    monkeypatch.setattr(
        leadlink.io, "fits_excel", lambda frame: "id_l" not in frame.columns and real(frame)
    )
    out = tmp_path / "out"
    assert main(["dedupe", str(leads_csv), "--output-dir", str(out), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "pairs.csv not written" in captured.err
    assert "pairs.parquet holds them" in captured.err
    assert not (out / "pairs.csv").exists()
    assert len(pd.read_parquet(out / "pairs.parquet")) > 0
    assert "pairs.csv" not in captured.out
    # the folder is still a whole result: erasing from it works without the CSV copy
    lead = pd.read_csv(out / "clusters.csv", dtype=str)["lead_id"].iloc[0]
    assert main(["erase", "--output-dir", str(out), "--lead-id", lead]) == 0
    assert not (out / "pairs.csv").exists()
