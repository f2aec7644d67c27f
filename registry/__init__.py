"""The model inventory: models, versions, data, runs, deployments, use cases and lineage."""
