"""Discovery: what a model registry holds and serves, matched against the inventory (pure)."""
