from governance import permissions


def test_owner_and_assigned_people_can_see_model_but_outsider_cannot(credit_pd_model, owner, developer, validator, outsider, auditor):
    visible = lambda u: set(permissions.models_for(u).values_list("slug", flat=True))  # noqa: E731
    assert visible(owner) == {"retail-pd"}
    assert visible(developer) == {"retail-pd"}
    assert visible(auditor) == {"retail-pd"}
    assert visible(outsider) == set()
    assert permissions.can(developer, "change", credit_pd_model)
    assert not permissions.can(developer, "submit", credit_pd_model)
    assert permissions.can(validator, "validate", credit_pd_model)
    assert not permissions.can(auditor, "change", credit_pd_model)
