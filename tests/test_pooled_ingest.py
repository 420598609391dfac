"""Window vectors pooled from one reading per paper, and the keyword index updated in place at each commit."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from rag.config import Settings
from rag.retrieval.chunking import chunk_paper, pooling_plan
from rag.retrieval.index import PaperIndex
from rag.retrieval.keyword_index import KeywordIndex
from rag.types import Paper
from tests.conftest import title_line_papers


def test_pooling_plan_spans_are_the_window_chunks():
    for paper in [*title_line_papers(20), Paper(doc_id="x", title=None, abstract="One.  Two\nthree. Four. Five.")]:
        plan = pooling_plan(paper)
        chunks = chunk_paper(paper)
        assert " ".join(plan.text.split()) == " ".join(chunks[0].text.split())
        assert len(plan.windows) == len(chunks) - 1
        for (start, end), chunk in zip(plan.windows, chunks[1:], strict=True):
            assert plan.text[: plan.head] + plan.text[start:end] == chunk.text


def _long_paper(embedder) -> Paper:
    """An abstract well past the model's token limit, so its last windows need a second reading."""
    base = title_line_papers(3)
    paper = replace(base[0], abstract=" ".join(p.abstract for p in base))
    assert embedder.count_tokens(pooling_plan(paper).text) > 1.5 * embedder.max_tokens
    return paper


def test_pooled_vectors_are_close_to_encoding_each_chunk(embedder):
    papers = [*title_line_papers(6), _long_paper(embedder)]
    pooled = embedder.embed_pooled([pooling_plan(p) for p in papers])
    for paper, vectors in zip(papers, pooled, strict=True):
        chunks = chunk_paper(paper)
        alone = np.asarray(embedder.embed([c.text for c in chunks]))
        got = np.asarray(vectors)
        assert got.shape == alone.shape
        assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
        cosines = (got * alone).sum(axis=1)
        assert cosines[0] > 0.9999  # chunk 0 is the same text, read the same way
        assert cosines[1:].min() > 0.75, cosines
        assert cosines[1:].mean() > 0.88, cosines
    # the windows past the limit were read again: their vectors differ from each other and from the last one reached
    tail = np.asarray(pooled[-1][-3:])
    assert (tail @ tail.T)[np.triu_indices(3, 1)].max() < 0.999


def test_a_window_is_pooled_from_its_own_tokens(embedder):
    """Each window's vector is nearest to its own text's vector or a near one (windows overlap)."""
    paper = _long_paper(embedder)
    got = np.asarray(embedder.embed_pooled([pooling_plan(paper)])[0][1:])
    alone = np.asarray(embedder.embed([c.text for c in chunk_paper(paper)[1:]]))
    nearest = (got @ alone.T).argmax(axis=1)
    assert np.abs(nearest - np.arange(len(got))).max() <= 2, nearest
    assert (nearest == np.arange(len(got))).mean() >= 0.5, nearest


def test_the_reader_reads_as_the_float32_model_under_autocast(embedder):
    """The pooled reading's tokenizer and bfloat16 weight copy change nothing but speed: the same tokens and offsets as
    the transformers tokenizer, the same numbers as autocast over the float32 model, which `embed` keeps."""
    import torch

    from rag.retrieval.embedder import _native_bf16

    texts = [pooling_plan(p).text for p in title_line_papers(5)] + ["short", pooling_plan(_long_paper(embedder)).text]
    wrapper = embedder._model.tokenizer(
        texts, padding=True, truncation=True, max_length=embedder.max_tokens, return_offsets_mapping=True
    )
    encodings = embedder._tokenizer.encode_batch(texts)
    assert [e.ids for e in encodings] == wrapper["input_ids"]
    assert [e.offsets for e in encodings] == [[tuple(o) for o in row] for row in wrapper["offset_mapping"]]
    features = {k: torch.tensor(v) for k, v in wrapper.items() if k != "offset_mapping"}
    model = embedder._model[0].auto_model
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=_native_bf16()):
        expected = model(**features).last_hidden_state.float()
        got = embedder._reader(**features).last_hidden_state.float()
    assert torch.equal(got, expected)
    assert all(p.dtype == torch.float32 for p in model.parameters())  # the copy was cast, not the model


def _same_keyword(a: KeywordIndex, b: KeywordIndex) -> None:
    order = np.argsort(a.catalog.doc_ids)
    other = {d: i for i, d in enumerate(b.catalog.doc_ids)}
    assert sorted(a.catalog.doc_ids) == sorted(b.catalog.doc_ids)
    rows = [other[a.catalog.doc_ids[i]] for i in order]
    for query in (["model"], ["languag", "model", "model"], ["diffus"]):
        assert np.allclose(a.bm25.get_scores(query)[order], b.bm25.get_scores(query)[rows], atol=1e-6)
    named = {w: sorted(a.catalog.doc_ids[i] for i in d) for w, d in a.catalog.rare_words.items()}
    assert named == {w: sorted(b.catalog.doc_ids[i] for i in d) for w, d in b.catalog.rare_words.items()}


def test_commit_updates_the_keyword_index_without_reading_the_store(tmp_path, embedder, monkeypatch):
    papers = title_line_papers(14)
    settings = Settings(store_dir=tmp_path / "store")
    index = PaperIndex(settings, create=True)
    index.write(papers[:10], embedder)
    index.commit()
    first = index.keyword.revision

    def no_rebuild(*args, **kwargs):
        raise AssertionError("the keyword index was rebuilt from the store")

    monkeypatch.setattr(type(index.store), "iter_papers", no_rebuild)
    changed = replace(papers[3], abstract="A rewritten abstract about zyxwvut retrieval.")
    index.write([changed, *papers[10:]], embedder, replace=[changed.doc_id])
    index.remove([papers[0].doc_id])
    index.commit()
    updated = index.keyword
    assert updated.revision != first
    assert updated.revision == index.store.revision()
    assert updated.search("zyxwvut", 3)[0][0] == changed.doc_id
    assert papers[0].doc_id not in updated.catalog.doc_ids
    reloaded = KeywordIndex.load(index.keyword_dir)
    assert reloaded is not None
    assert reloaded.revision == updated.revision
    monkeypatch.undo()
    _same_keyword(reloaded, index.rebuild_keyword())


def test_a_store_left_dirty_by_another_run_is_rebuilt(tmp_path, embedder, monkeypatch):
    papers = title_line_papers(8)
    settings = Settings(store_dir=tmp_path / "store")
    killed = PaperIndex(settings, create=True)
    killed.write(papers[:5], embedder)  # never committed: the run was killed
    resumed = PaperIndex(settings, create=True)
    resumed.write(papers[5:], embedder)
    calls = []
    monkeypatch.setattr(PaperIndex, "rebuild_keyword", lambda self, revision=None: calls.append(revision))
    resumed.commit()
    assert calls, "the index only knows its own writes; the killed run's papers need a rebuild"


@pytest.mark.parametrize("n", [0, 1, 7])
def test_updating_equals_building(n):
    papers = title_line_papers(12)
    grown = KeywordIndex.build(papers[:8], "a").updated(papers[8:], [p.doc_id for p in papers[:n]], "b")
    _same_keyword(KeywordIndex.build(papers[n:], "c"), grown)


def test_bm25_scores_are_bm25s_ones():
    import bm25s

    from rag.text.tokens import tokenize

    papers = title_line_papers(40)
    reference = bm25s.BM25()
    reference.index([tokenize(f"{p.title} {p.abstract}") for p in papers], show_progress=False)
    ours = KeywordIndex.build(papers, "r").bm25
    for question in ("language model reasoning", "graph attention attention", "diffusion image generation"):
        tokens = [t for t in tokenize(question) if t in reference.vocab_dict]
        expected = np.asarray(reference.get_scores(tokens))
        assert expected.max() > 0
        assert np.allclose(ours.get_scores(tokens), expected, atol=1e-5)


def test_new_vector_recipe_re_makes_every_paper_and_loses_none(tmp_path, monkeypatch):
    """New CHUNKING_VERSION: the vectors are made again (not skipped as unchanged, never mixed), also for papers of a
    file the new run does not read (an earlier upload); the older collection and its keyword index are then gone."""
    from ingest.pipeline import ingest
    from tests.test_ingest_pipeline import write_jsonl

    papers = title_line_papers(5)
    source = write_jsonl(tmp_path / "mine.jsonl", papers[:3])
    once = write_jsonl(tmp_path / "once.jsonl", papers[3:])
    settings = Settings(store_dir=tmp_path / "store")
    assert ingest([source, once], settings).added == 5
    assert ingest([source, once], settings).unchanged == 5
    old = PaperIndex(settings)
    old_name, old_keyword, before = old.store.name, old.keyword_dir, old.store.content_hashes()
    old.close()
    monkeypatch.setattr("rag.retrieval.chunking.CHUNKING_VERSION", 99)
    again = ingest([source], settings)
    assert (again.carried, again.unchanged, again.added) == (5, 3, 0)
    index = PaperIndex(settings)
    assert index.store.name != old_name
    assert index.store.content_hashes() == before
    assert index.store.count_chunks() > 5  # the windows too
    assert not index.store.has_sibling(old_name.rsplit("-", 1)[-1])
    assert not old_keyword.exists()
    assert ingest([source], settings).carried == 0


def test_writes_larger_than_chromas_batch_limit_are_split(tmp_path, embedder, monkeypatch):
    papers = title_line_papers(4)
    index = PaperIndex(Settings(store_dir=tmp_path / "store"), create=True)
    monkeypatch.setattr(index.store.client, "get_max_batch_size", lambda: 3)
    sizes: list[int] = []

    class Counting:
        def __init__(self, collection):
            self.collection = collection

        def __getattr__(self, name):
            return getattr(self.collection, name)

        def upsert(self, **kwargs):
            sizes.append(len(kwargs["ids"]))
            return self.collection.upsert(**kwargs)

    monkeypatch.setattr(index.store, "collection", Counting(index.store.collection))
    written = index.write(papers, embedder)
    assert written > 3
    assert max(sizes) <= 3
    assert sum(sizes) == written == index.store.count_chunks()
    assert sorted(index.store.content_hashes()) == sorted(p.doc_id for p in papers)
