"""Inventory state: models, versions, data, runs, deployments, use cases."""

import datetime as dt
import hashlib

import factory

from registry.models import (
    Dataset,
    DatasetVersion,
    Deployment,
    MLModel,
    ModelVersion,
    TrainingRun,
    UseCase,
)
from tests.factories.accounts import UserFactory


def sha(n: int | str) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


class MLModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MLModel

    slug = factory.Sequence(lambda n: f"model-{n}")
    name = factory.Sequence(lambda n: f"Model {n}")
    business_unit = "Retail Credit"
    model_type = MLModel.ModelType.CLASSICAL_ML
    owner = factory.SubFactory(UserFactory)


class TrainingRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRun

    model = factory.SubFactory(MLModelFactory)
    tracker = "mlflow"
    external_id = factory.Sequence(lambda n: f"run-{n}")
    created_by = factory.SelfAttribute("model.owner")


class ModelVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelVersion

    model = factory.SubFactory(MLModelFactory)
    version = factory.Sequence(lambda n: f"1.{n}.0")
    artifact_uri = factory.LazyAttribute(
        lambda v: f"s3://models/{v.model.slug}/{v.version}/model.pkl"
    )
    artifact_sha256 = factory.Sequence(sha)
    framework = "scikit-learn 1.5"
    created_by = factory.SelfAttribute("model.owner")


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset

    slug = factory.Sequence(lambda n: f"dataset-{n}")
    name = factory.Sequence(lambda n: f"Dataset {n}")
    created_by = factory.SubFactory(UserFactory)


class DatasetVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DatasetVersion

    dataset = factory.SubFactory(DatasetFactory)
    version = factory.Sequence(lambda n: f"v{n}")
    uri = factory.LazyAttribute(lambda d: f"s3://data/{d.dataset.slug}/{d.version}/")
    content_sha256 = factory.Sequence(lambda n: sha(f"data{n}"))
    row_count = 1000
    created_by = factory.SelfAttribute("dataset.created_by")


class DeploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deployment

    version = factory.SubFactory(ModelVersionFactory)
    environment = Deployment.Environment.PRODUCTION
    started_at = factory.LazyFunction(lambda: dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    recorded_by = factory.SelfAttribute("version.created_by")


class UseCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UseCase

    slug = factory.Sequence(lambda n: f"use-case-{n}")
    name = factory.Sequence(lambda n: f"Use case {n}")
    business_purpose = "Decide on retail loan applications"
    business_unit = "Retail Credit"
    owner = factory.SubFactory(UserFactory)
