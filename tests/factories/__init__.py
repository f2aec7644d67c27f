"""factory_boy factories: they create state directly; behaviour tests call services instead."""
