"""Dependencies between models: one consumes another's output; cycles are refused."""

import pytest
from django.core.exceptions import PermissionDenied

from governance.access.services import raci
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from registry import selectors, services
from registry.models import MLModel, ModelDependency


def model(owner, slug: str) -> MLModel:
    return services.register_model(
        actor=owner,
        slug=slug,
        name=slug.title(),
        business_unit="Retail Credit",
        model_type="vendor",
    )


@pytest.fixture
def bureau_score(owner) -> MLModel:
    """A vendor bureau score that the PD model consumes."""
    return model(owner, "bureau-score")


@pytest.fixture
def pricing(owner) -> MLModel:
    """A pricing model that consumes the PD model's output."""
    return model(owner, "pricing")


def counts() -> tuple[int, int]:
    return ModelDependency.objects.count(), AuditEvent.objects.count()


def link(actor, upstream, downstream) -> ModelDependency:
    return services.add_dependency(actor=actor, upstream=upstream, downstream=downstream)


def test_owner_links_an_upstream_model_and_the_event_is_scoped_to_the_downstream(
    owner, credit_pd_model, bureau_score
):
    dependency = services.add_dependency(
        actor=owner,
        upstream=bureau_score,
        downstream=credit_pd_model,
        description="score as feature",
    )
    stored = ModelDependency.objects.get(downstream=credit_pd_model)
    assert (stored, stored.upstream, stored.description) == (
        dependency,
        bureau_score,
        "score as feature",
    )
    event = AuditEvent.objects.get(verb="dependency.added")
    assert (event.actor, event.mlmodel_id) == (owner, credit_pd_model.pk)
    assert (event.after["upstream"], event.after["downstream"]) == (
        bureau_score.pk,
        credit_pd_model.pk,
    )


def test_a_model_cannot_depend_on_itself(owner, credit_pd_model):
    before = counts()
    with pytest.raises(DomainError) as refused:
        link(owner, credit_pd_model, credit_pd_model)
    assert (refused.value.field, refused.value.error_text) == (
        "upstream",
        "a model cannot depend on itself",
    )
    assert counts() == before


def test_the_same_dependency_cannot_be_recorded_twice(owner, credit_pd_model, bureau_score):
    link(owner, bureau_score, credit_pd_model)
    before = counts()
    with pytest.raises(DomainError, match="already depends on"):
        link(owner, bureau_score, credit_pd_model)
    assert counts() == before


def test_a_direct_cycle_is_refused(owner, credit_pd_model, bureau_score):
    link(owner, bureau_score, credit_pd_model)
    before = counts()
    with pytest.raises(DomainError, match="a cycle"):
        link(owner, credit_pd_model, bureau_score)
    assert counts() == before


def test_a_cycle_through_a_third_model_is_refused(owner, credit_pd_model, bureau_score, pricing):
    link(owner, bureau_score, credit_pd_model)
    link(owner, credit_pd_model, pricing)
    before = counts()
    with pytest.raises(DomainError) as refused:
        link(owner, pricing, bureau_score)
    assert refused.value.field == "upstream"
    assert "a cycle" in refused.value.error_text
    assert counts() == before


def test_upstream_model_ids_follows_dependencies_transitively(
    owner, credit_pd_model, bureau_score, pricing
):
    link(owner, bureau_score, credit_pd_model)
    link(owner, credit_pd_model, pricing)
    assert selectors.upstream_model_ids(pricing) == {credit_pd_model.pk, bureau_score.pk}
    assert selectors.upstream_model_ids(bureau_score) == set()


def test_developer_may_link_a_model_he_can_see_but_not_one_hidden_from_him(
    developer, owner, credit_pd_model, bureau_score
):
    raci.assign_raci(actor=owner, model=bureau_score, user=developer, role="C", area="development")
    link(developer, bureau_score, credit_pd_model)
    hidden = model(owner, "hidden")
    before = counts()
    with pytest.raises(PermissionDenied):
        link(developer, hidden, credit_pd_model)
    assert counts() == before


@pytest.mark.parametrize("persona", ["auditor", "outsider", "validator", "committee_member"])
def test_personas_without_change_rights_on_the_downstream_cannot_add_or_remove(
    persona, request, owner, credit_pd_model, bureau_score, pricing
):
    actor = request.getfixturevalue(persona)
    existing = link(owner, bureau_score, credit_pd_model)
    before = counts()
    with pytest.raises(PermissionDenied):
        link(actor, credit_pd_model, pricing)
    with pytest.raises(PermissionDenied):
        services.remove_dependency(actor=actor, dependency=existing)
    assert counts() == before


def test_removing_a_dependency_deletes_it_and_audits_what_it_was(
    developer, owner, credit_pd_model, bureau_score
):
    dependency = link(owner, bureau_score, credit_pd_model)
    services.remove_dependency(actor=developer, dependency=dependency)
    assert not ModelDependency.objects.exists()
    event = AuditEvent.objects.get(verb="dependency.removed")
    assert (event.actor, event.mlmodel_id, event.after) == (developer, credit_pd_model.pk, None)
    assert (event.before["upstream"], event.before["downstream"]) == (
        bureau_score.pk,
        credit_pd_model.pk,
    )
