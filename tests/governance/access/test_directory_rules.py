"""Which roles directory groups give: pure rules, no database."""

import pytest

from governance.access.rules.directory import claim_groups, plan, role_sources

MAPPING = [
    ("cn=mrm-validators,ou=groups", "Validators"),
    ("cn=mrm-leads,ou=groups", "Validators"),
    ("cn=mrm-leads,ou=groups", "Heads of validation"),
    ("cn=mrc,ou=groups", "Committee members"),
]


@pytest.mark.parametrize(
    ("value", "groups"),
    [
        (["a", "b"], ("a", "b")),
        ("a", ("a",)),
        ("", ()),
        (None, ()),
        ([1, "a", "", {"x": 1}], ("a",)),
    ],
)
def test_the_groups_claim_is_read_as_names_whatever_its_shape(value, groups):
    assert claim_groups(value) == groups


def test_each_role_names_the_groups_that_give_it_without_regard_to_case():
    sources = role_sources(["CN=MRM-Leads,OU=Groups", "cn=mrm-validators,ou=groups"], MAPPING)
    assert sources == {
        "Validators": ("cn=mrm-validators,ou=groups", "cn=mrm-leads,ou=groups"),
        "Heads of validation": ("cn=mrm-leads,ou=groups",),
    }


def test_mapped_roles_follow_the_groups_and_other_roles_are_left_alone():
    sync = plan(
        held_roles=["Committee members", "Model owners"],
        groups=["cn=mrm-validators,ou=groups"],
        group_roles=MAPPING,
    )
    assert sync.add == {"Validators"}
    assert sync.remove == {"Committee members"}  # Model owners: not the directory's to take
    assert sync.changes


def test_nothing_changes_when_roles_and_groups_agree():
    sync = plan(
        held_roles=["Validators"], groups=["cn=mrm-validators,ou=groups"], group_roles=MAPPING
    )
    assert not sync.changes
