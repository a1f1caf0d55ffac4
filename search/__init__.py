"""Search over the directory: one backend interface, an embedded and a Meilisearch backend."""
