from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def generated():
    """Generated leads (``generate_leads(200, seed=3)``) deduplicated once for the golden,
    correction and review tests: the leads without their truth columns, their prepared
    table and the dedupe result."""
    import leadlink as ll
    from leadlink.clean._prepare import prepare
    from leadlink.datasets import generate_leads

    leads = generate_leads(200, seed=3).drop(columns=["person_id", "is_ghost"])
    result = ll.dedupe(leads)
    prepared = prepare(leads, result.roles, id_column="lead_id")
    return leads, prepared, result
