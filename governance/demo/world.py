"""What the demo's steps share while the history runs: the people, and the records by name.

Records are looked up when a step runs, not kept from the step that made them, so each step
sees what the earlier ones left in the database.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import User

from governance import demo
from governance.demo.spec import FINANCIAL_CRIME, RETAIL_CREDIT
from registry.models import MLModel, ModelVersion

# Attest went live at the bank on this day: what existed before was recorded on it.
GO_LIVE = date(2024, 11, 25)
PIPELINE = "ci-pipeline"  # the bank's shared CI pipeline, a service account
# Business units whose versions the pipeline registers from that day (their builds automated).
AUTOMATED_FROM = {FINANCIAL_CRIME: date(2026, 1, 5), RETAIL_CREDIT: date(2026, 6, 1)}
# A model is put on the inventory when its first version's development starts.
DEVELOPMENT_LEAD = timedelta(days=28)


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)

    @property
    def admin(self) -> User:
        return self.users[demo.ADMIN]

    def model(self, slug: str) -> MLModel:
        return MLModel.objects.get(slug=slug)

    def models(self) -> dict[str, MLModel]:
        return {model.slug: model for model in MLModel.objects.all()}

    def version(self, slug: str, label: str) -> ModelVersion:
        return ModelVersion.objects.get(model__slug=slug, version=label)

    def pipeline(self) -> User:
        if PIPELINE not in self.users:
            self.users[PIPELINE] = User.objects.get(username=PIPELINE)
        return self.users[PIPELINE]

    def registrar(self, spec: demo.DemoModel, day: date) -> User:
        """Who registers a version built on `day`: the pipeline once the unit's builds are
        automated, the administrator before."""
        automated = AUTOMATED_FROM.get(spec.business_unit)
        return self.pipeline() if automated and day >= automated else self.admin

    def owner_of(self, slug: str) -> User:
        return self.users[SPECS[slug].owner]


def registered_on(spec: demo.DemoModel) -> date:
    """The day a model went on the inventory (its first version's development, or go-live)."""
    first = date.fromisoformat(spec.versions[0].trained)
    return max(first - DEVELOPMENT_LEAD, GO_LIVE)


SPECS: dict[str, demo.DemoModel] = {model.slug: model for model in demo.MODELS}
