"""Retrieval: chunking and embedding, the Chroma store and the BM25 keyword index, and the hybrid search over them."""
