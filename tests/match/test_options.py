"""Options and model files are checked for type and range in one place: a model file cannot
lift the block cap, ``true`` is not a threshold, an empty blocking list is refused."""

from __future__ import annotations

import copy
import json

import pytest

from leadlink.errors import ConfigError, ModelError
from leadlink.match import COMPARISONS, MAX_BLOCK_SIZE_LIMIT, PRESET_NAMES, LeadModel
from leadlink.match._options import MAX_EXTRA_COLUMNS


@pytest.fixture(scope="module")
def model_data(small_leads):
    from leadlink.clean import prepare
    from leadlink.schema import resolve_columns

    leads = small_leads.drop(columns=["person_id", "is_ghost"])
    prepared = prepare(leads, resolve_columns(leads, id_column="lead_id"), id_column="lead_id")
    return LeadModel().fit(prepared).to_dict()


def _edited(data, edit):
    changed = copy.deepcopy(data)
    edit(changed)
    return changed


def _set(path: str, value: object):
    def edit(data: dict) -> None:
        *parents, last = path.split(".")
        for key in parents:
            data = data[int(key)] if key.isdigit() else data[key]
        data[last] = value

    return edit


def _delete(path: str):
    def edit(data: dict) -> None:
        *parents, last = path.split(".")
        for key in parents:
            data = data[int(key)] if key.isdigit() else data[key]
        del data[last]

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        # the block cap, lifted: 3,000 namesakes at one employer made 4.5M pairs
        (_set("options.max_block_size", 10**12), r"options\.max_block_size must be an integer in \[2, 5000\], not 1000000000000"),
        (_set("options.max_block_size", 1), r"options\.max_block_size must be an integer in \[2, 5000\]"),
        (_set("options.max_block_size", 200.5), r"options\.max_block_size must be an integer"),
        (_set("options.max_block_size", "200"), r"options\.max_block_size must be an integer"),
        # true was read as 1.0
        (_set("options.threshold", True), r"options\.threshold must be a number in \[0, 1\], not True"),
        (_set("options.threshold", 1.5), r"options\.threshold must be in \[0, 1\], not 1\.5"),
        (_set("options.threshold", None), r"options\.threshold must be a number"),
        # [] made no pair at all, without a word
        (_set("options.blocking", []), r"options\.blocking must be .*non-empty list of distinct preset names from \['address', "),
        (_set("options.blocking", ["phone", "phone"]), r"options\.blocking must be"),
        (_set("options.blocking", ["nope"]), r"options\.blocking must be"),
        (_set("options.blocking", "phone"), r"options\.blocking must be"),
        (_set("options.seed", -1), r"options\.seed must be an integer in \[0, 2147483647\]"),
        (_set("options.extra", {"x": "regex"}), r"options\.extra\['x'\] must be one of \['date', 'exact', 'fuzzy', 'numeric'\]"),
        (_set("options.extra", {f"c{i}": "exact" for i in range(MAX_EXTRA_COLUMNS + 1)}), r"options\.extra must be an object of at most 50 columns"),
        (_set("options.must_link", ["password"]), r"options\.must_link must be a list of roles"),
        (_set("options.max_blok_size", 10), r"key 'options\.max_blok_size' is not one leadlink knows"),
        (_set("evil", 1), r"key 'evil' is not one leadlink knows"),
        (_set("lambda", 0), r"lambda must be in \(0, 1\), not 0"),
        (_set("lambda", "0.1"), r"lambda must be a number in \(0, 1\)"),
        (_set("comparisons.0.levels.0.m", 0), r"name\.exact\.m must be in \(0, 1\], not 0"),
        (_set("comparisons.0.levels.0.u", False), r"name\.exact\.u must be a number in \(0, 1\]"),
        (_set("comparisons.0.levels.0.extra", 1), r"key 'comparisons\[0\]\.levels\[0\]\.extra' is not"),
        (_delete("comparisons.0.levels.0.m"), r"comparisons\[0\]\.levels\[0\]\.m is missing"),
        (_delete("options.threshold"), r"options\.threshold is missing"),
        (_set("comparisons", []), r"comparisons must be a non-empty list"),
        (lambda d: d["comparisons"].extend(copy.deepcopy(d["comparisons"][:1]) * len(COMPARISONS)), r"comparisons must be a list of at most"),
        (lambda d: d["comparisons"].__setitem__(1, copy.deepcopy(d["comparisons"][0])), r"comparisons\[1\]\.role must be a role not compared before"),
        (_set("diagnostics", [1]), r"diagnostics must be an object"),
        (_set("leadlink_version", {"x": 1}), r"leadlink_version must be a version text"),
        (_set("version", True), r"model file version True is not supported"),
    ],
)  # fmt: skip
def test_every_field_of_a_model_file_is_checked(tmp_path, model_data, edit, message):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(_edited(model_data, edit)), "utf-8")
    with pytest.raises(ModelError, match=message):
        LeadModel.load(path)


def test_blocking_presets_that_fit_none_of_the_roles_are_refused(model_data):
    data = _edited(model_data, _set("options.blocking", ["phone"]))
    data["comparisons"] = [c for c in data["comparisons"] if c["role"] != "phone"]
    with pytest.raises(ModelError, match=r"options\.blocking must be presets that fit the roles"):
        LeadModel.from_dict(data)


def test_a_valid_model_file_round_trips(model_data):
    assert LeadModel.from_dict(model_data).to_dict() == model_data


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"threshold": True}, r"threshold must be a number in \[0, 1\], not True"),
        ({"threshold": float("nan")}, r"threshold must be in \[0, 1\], not nan"),
        ({"max_block_size": 10**12}, rf"max_block_size must be an integer in \[2, {MAX_BLOCK_SIZE_LIMIT}\]"),
        ({"blocking": []}, r"blocking must be None \(every preset that fits\) or a non-empty list .*'phone_name'"),
        ({"seed": 1.5}, r"seed must be an integer"),
        ({"u_max_pairs": float("inf")}, r"u_max_pairs must be in \[1000, 1e\+09\]"),
        ({"em_max_pairs": 0}, r"em_max_pairs must be in \[1000, 1e\+09\]"),
        ({"max_pairs": 0}, r"max_pairs must be an integer of at least 1, not 0"),
        ({"max_pairs": True}, r"max_pairs must be an integer of at least 1, not True"),
        ({"extra": {"dob": "regex"}}, r"extra\['dob'\] must be one of"),
    ],
)  # fmt: skip
def test_options_passed_in_python_are_checked_when_the_model_is_made(options, message):
    with pytest.raises(ConfigError, match=message):
        LeadModel(**options)


def test_the_limits_themselves_are_accepted():
    model = LeadModel(threshold=0, max_block_size=MAX_BLOCK_SIZE_LIMIT, blocking=PRESET_NAMES)
    assert model.threshold == 0.0 and model.max_block_size == MAX_BLOCK_SIZE_LIMIT
    assert LeadModel(threshold=1, max_block_size=2, max_pairs=1).max_pairs == 1


def test_messages_in_chinese(tmp_path, model_data):
    from leadlink._i18n import set_language

    set_language("zh")
    with pytest.raises(ConfigError, match=r"max_block_size 须为 \[2, 5000\] 之间的整数"):
        LeadModel(max_block_size=10**12)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(_edited(model_data, _set("options.threshold", True))), "utf-8")
    with pytest.raises(ModelError, match=r"模型文件中的 options\.threshold 须为 \[0, 1\] 之间的数"):
        LeadModel.load(path)
