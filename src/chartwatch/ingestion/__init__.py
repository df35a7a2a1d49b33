"""Getting Netflix's files into the store: kinds, checks, loading, archive replay, download."""
