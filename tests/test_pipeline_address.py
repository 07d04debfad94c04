"""An organisation list deduplicated on site names, street addresses and postcodes."""

from __future__ import annotations

import pandas as pd

import leadlink as ll

SITES = [
    ("1", "Riverside Medical Centre", "12 North Main Street, Suite 4", "62704"),
    ("2", "Riverside Medical Center", "12 N Main St #4", "62704-1234"),
    ("3", "Oak Park Library", "400 Oak Avenue", "60302"),
    ("4", "Oak Park Public Library", "400 Oak Ave.", "60302"),
    ("5", "Lincoln Elementary School", "88 Lincoln Rd", "62701"),
    ("6", "Lincoln Elem. School", "88 Lincoln Road", "62701"),
    ("7", "Springfield Dental", "230 Elm Street, Unit 2", "62702"),
    ("8", "Springfield Dental Care", "230 Elm St., Unit 2", "62702"),
    ("9", "Maple Grove Clinic", "17 Maple Drive", "62703"),
    ("10", "Harbor View Bank", "5 Harbor Blvd", "62705"),
    ("11", "Greenfield Pharmacy", "71 West Lake Ln", "62706"),
    ("12", "Greenfield Pharmacy Inc", "71 W Lake Lane", "62706"),
    ("13", "Sunset Bakery", "902 Sunset Dr", "62707"),
    ("14", "Cedar Hills Post Office", "3 Cedar Court", "62708"),
    ("15", "Pine Valley Gym", "640 Pine St", "62709"),
    ("16", "Pine Valley Gym LLC", "640 Pine Street", "62709"),
    # the same building, another unit and another name: a neighbour
    ("17", "Blue Ridge Dentists", "230 Elm Street, Unit 9", "62702"),
    ("18", "Westside Library", "401 Oak Avenue", "60302"),
    # a branch of a chain: the same name at another address
    ("19", "Harbor View Bank", "900 Lake Street", "62710"),
]
SAME = [{"1", "2"}, {"3", "4"}, {"5", "6"}, {"7", "8"}, {"11", "12"}, {"15", "16"}]


def test_an_organisation_list_is_deduplicated_on_its_addresses():
    sites = pd.DataFrame(SITES, columns=["Id", "Site name", "Address", "Zip"])
    result = ll.dedupe(sites, id_column="Id", columns={"company": "Site name"})
    found = [
        set(group) for _, group in result.clusters.groupby("cluster_id")["Id"] if len(group) > 1
    ]
    assert sorted(found, key=min) == sorted(SAME, key=min)
    assert {"address", "postcode"} <= set(result.model.diagnostics["roles"])
    assert {"address", "postcode"} <= set(result.golden.columns)
