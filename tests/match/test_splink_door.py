"""leadlink.match._splink, the one door to Splink's internals, against the installed Splink.

Each internal the door reaches for is checked here by name, so a Splink upgrade that moves
one fails in this file, saying which, rather than deep inside a fit. The scan at the end
keeps the rest of leadlink on the public side of the door.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import splink
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from leadlink.match import _splink as door

SOURCE = Path(door.__file__).resolve().parents[1]  # src/leadlink
MOVED = (
    "Splink {version} moved {what}, which leadlink.match._splink reaches for; "
    "adapt that function (and only it), then widen TESTED_SPLINK"
)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def _moved(what: str) -> str:
    return MOVED.format(version=splink.__version__, what=what)


@pytest.fixture
def api():
    connection = duckdb.connect()
    yield DuckDBAPI(connection)
    connection.close()


@pytest.fixture
def table(api):
    """30 people, each on two leads, as a Splink table."""
    people = [(f"p{i}", f"name{i % 7}", f"city{i % 5}") for i in range(30)]
    frame = pd.DataFrame(
        [
            {"unique_id": f"{pid}_{copy}", "first_name": name, "city": city, "person": pid}
            for pid, name, city in people
            for copy in range(2)
        ]
    )
    return api.register(frame)


@pytest.fixture
def linker(table):
    """A small linker of the leads of ``table``, on first name and city."""
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[cl.ExactMatch("first_name"), cl.ExactMatch("city")],
        blocking_rules_to_generate_predictions=[block_on("person")],
    )
    return Linker(table, settings, log_level=None)


# -- the version -----------------------------------------------------------------------


def test_the_installed_splink_is_a_version_the_door_was_checked_against():
    low, high = (_version(v) for v in door.TESTED_SPLINK)
    installed = _version(splink.__version__)
    assert low <= installed < high, (
        f"Splink {splink.__version__} is installed; leadlink.match._splink was checked "
        f"against {door.TESTED_SPLINK[0]} up to (not including) {door.TESTED_SPLINK[1]}. "
        "Run tests/match/test_splink_door.py on it; when every other test here passes, "
        "widen TESTED_SPLINK"
    )


# -- types -----------------------------------------------------------------------------


def test_the_types_are_the_bases_of_what_the_public_api_returns():
    assert issubclass(DuckDBAPI, door.DatabaseAPI), _moved("DatabaseAPI")
    assert door.is_database_api(DuckDBAPI(duckdb.connect()))
    assert not door.is_database_api("duckdb")
    for level in (cll.ExactMatchLevel("x"), cll.CustomLevel("x_l = x_r"), cll.ElseLevel()):
        assert isinstance(level, door.ComparisonLevelCreator), _moved("ComparisonLevelCreator")


# -- database APIs ---------------------------------------------------------------------


def test_the_dialect_is_read_from_a_database_api(api):
    assert door.dialect_name(api) == "duckdb", _moved("sql_dialect.sql_dialect_str")
    assert door.sqlglot_dialect(api) == "duckdb", _moved("sql_dialect.sqlglot_dialect")


def test_the_tables_a_job_makes_and_registers_are_listed_and_dropped(api):
    assert inspect.signature(api.delete_table_from_database).parameters.keys() == {"name"}
    registered_before = door.registered_tables(api)
    made_before = len(door.tables_made(api))
    source = api.register(pd.DataFrame({"a": [1, 2]}))
    made = api.query_sql(f"SELECT a + 1 AS b FROM {source.physical_name}")
    assert door.registered_tables(api) - registered_before == {source.physical_name}, _moved(
        "_registered_table_names"
    )
    assert door.tables_made(api)[made_before:] == [made.physical_name], _moved(
        "_intermediate_table_cache.executed_queries"
    )
    assert made.physical_name in api._created_tables, _moved("_created_tables")
    door.clear_table_cache(api)
    assert not api._intermediate_table_cache, _moved("_intermediate_table_cache")
    for name in (made.physical_name, source.physical_name):
        door.drop_table(api, name)
        assert not api.table_exists_in_database(name)
    assert made.physical_name not in api._created_tables


# -- training --------------------------------------------------------------------------


def test_lambda_is_set_on_a_linker_and_read_back_from_its_json(linker):
    door.set_lambda(linker, 0.0123)
    saved = linker.misc.save_model_to_json()
    assert saved["probability_two_random_records_match"] == 0.0123, _moved(
        "_settings_obj._probability_two_random_records_match"
    )


def test_an_em_session_says_how_many_iterations_it_ran(linker):
    linker.training.estimate_u_using_random_sampling(max_pairs=1e4, seed=1)
    session = linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("city"), max_pairs=1e4
    )
    assert door.em_iterations(session) >= 1, _moved("_core_model_settings_history")
    assert door.em_iterations(object()) == 0


def test_the_level_em_drives_to_zero_is_read_from_splinks_error(zero_m_error):
    store = getattr(importlib.import_module(door.EM_STORE_MODULE), door.EM_STORE_FUNCTION)
    parameters = inspect.signature(store).parameters
    assert {"comparison_level", "output_column_name"} <= parameters.keys(), _moved(
        f"{door.EM_STORE_FUNCTION}'s parameters"
    )
    assert door.collapsed_level(zero_m_error("email", "both_personal")) == (
        "email",
        "both_personal",
    ), _moved(f"the m = 0 error of {door.EM_STORE_FUNCTION}")
    assert door.collapsed_level(zero_m_error("phone", "shared_line")) == ("phone", "shared_line")
    assert door.collapsed_level(ValueError("something else")) is None
    assert door.collapsed_level(ZeroDivisionError()) is None


def test_the_model_json_has_the_keys_training_reads_and_edits(linker, table):
    """Public, but a shape: _model reads m/u by these keys and fixes a collapsed m."""
    linker.training.estimate_u_using_random_sampling(max_pairs=1e4, seed=1)
    saved = linker.misc.save_model_to_json()
    assert "probability_two_random_records_match" in saved
    comparison = saved["comparisons"][0]
    assert comparison["output_column_name"] == "first_name"
    levels = comparison["comparison_levels"]
    assert levels[0].get("is_null_level") is True
    assert {"label_for_charts", "u_probability"} <= levels[1].keys()
    levels[1]["m_probability"], levels[1]["fix_m_probability"] = 0.25, True
    relinked = Linker(table, saved, log_level=None)
    reread = relinked.misc.save_model_to_json()["comparisons"][0]["comparison_levels"][1]
    assert reread["m_probability"] == 0.25 and reread["fix_m_probability"] is True


def test_predict_selected_scores_what_predict_scores(table):
    """The lean prediction pipeline: the same pairs, weights and levels as predict()."""
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.ExactMatch("first_name").configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("city", 1),
        ],
        blocking_rules_to_generate_predictions=[block_on("person"), block_on("city")],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
    )
    linker = Linker(table, settings, log_level=None)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e4, seed=1)
    keys = ["unique_id_l", "unique_id_r"]
    full = linker.inference.predict(threshold_match_probability=0.0).as_pandas_dataframe()
    select = [*keys, "match_key", "match_weight", "match_probability", "gamma_first_name",
              "mw_first_name", "mw_tf_adj_first_name", "gamma_city", "mw_city"]  # fmt: skip
    lean = door.predict_selected(linker, select, 0.0)
    made = lean.as_pandas_dataframe()
    lean.drop_table_from_database_and_remove_from_cache()
    assert list(made.columns) == select
    assert len(made) == len(full) > 0
    expected = full[select].sort_values(keys).reset_index(drop=True)
    got = made.sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    # a threshold drops the same pairs
    high = door.predict_selected(linker, keys, 0.5)
    kept = high.as_pandas_dataframe()
    high.drop_table_from_database_and_remove_from_cache()
    assert len(kept) == int((full["match_probability"] >= 0.5).sum())


# -- the rest of leadlink stays on the public side -------------------------------------

#: Private attributes of Splink objects, and the traceback walk, that only the door may use.
_PRIVATE = re.compile(
    r"\b(?:linker|api|db_api|session|settings|cache|sdf)\._[a-z]"
    r"|_settings_obj|_intermediate_table_cache|_registered_table_names|_created_tables"
    r"|_core_model_settings_history|__traceback__|tb_frame|f_locals|sys\.exc_info"
)


def _modules() -> list[Path]:
    return sorted(SOURCE.rglob("*.py"))


def _imported(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def test_splink_is_imported_only_in_match():
    outside = [
        f"{path.relative_to(SOURCE)} imports {name}"
        for path in _modules()
        if path.parent.name != "match"
        for name in _imported(path)
        if name.split(".")[0] == "splink"
    ]
    assert outside == [], "import Splink only in leadlink/match/ (types: leadlink.match)"


def test_only_the_door_reaches_into_splink_internals():
    reaching = []
    for path in _modules():
        if path == Path(door.__file__).resolve():
            continue
        reaching += [
            f"{path.relative_to(SOURCE)} imports {name}"
            for name in _imported(path)
            if name.startswith("splink.internals")
        ]
        if path.parent.name == "match":
            for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
                if _PRIVATE.search(line.split("#")[0]):
                    reaching.append(f"{path.relative_to(SOURCE)}:{number}: {line.strip()}")
    assert reaching == [], "use leadlink.match._splink for Splink internals"


def test_levels_parsed_once_answer_as_splink_does(api):
    from splink.internals.comparison_level import ComparisonLevel

    door.parse_exact_matches_once()
    door.parse_exact_matches_once()  # a second call changes nothing
    own = getattr(ComparisonLevel, "_leadlink_splink_own", None)
    assert own is not None, _moved("ComparisonLevel._is_exact_match / _exact_match_colnames")
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.ExactMatch("first_name").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("city", [0.9]),
            cl.CustomComparison(
                output_column_name="both",
                comparison_levels=[
                    cll.NullLevel("city"),
                    cll.And(cll.ExactMatchLevel("first_name"), cll.ExactMatchLevel("city")),
                    cll.ElseLevel(),
                ],
            ),
        ],
        blocking_rules_to_generate_predictions=[block_on("person")],
    )
    frame = pd.DataFrame({"unique_id": ["a", "b"], "first_name": ["x", "y"], "city": ["c", "c"]})
    frame["person"] = "p"
    linker = Linker(api.register(frame), settings, log_level=None)
    levels = [
        level
        for comparison in linker._settings_obj.comparisons
        for level in comparison.comparison_levels
    ]
    exact = [level._is_exact_match for level in levels]
    assert exact == [own["_is_exact_match"](level) for level in levels]
    assert any(exact) and not all(exact)
    for level, is_exact in zip(levels, exact):
        assert level._validate_sql() == own["_validate_sql"](level)
        if is_exact:
            assert level._exact_match_colnames == own["_exact_match_colnames"](level)
        elif not level._is_else_level:
            with pytest.raises(ValueError):
                _ = level._exact_match_colnames
