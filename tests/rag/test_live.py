"""rag.live: a running pipeline follows re-ingests (new generations) without a restart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.documents import DocumentLibrary
from index_format.generations import Generations
from ingest.pipeline import run_ingest
from rag.index import LoadedIndex, load_index
from rag.live import FollowingPipeline, follow
from rag.pipeline import Pipeline
from rag.policy import PolicyConfig
from settings import Settings
from tests.conftest import GAZETTES
from tests.fakes import BigramEmbedder

# only in jincheng-2018-04 (晋市政发〔2018〕23号 第十二条), not in jincheng-2021-06
QUESTION = "住宅房屋被征收，搬迁补助费怎么算？"


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def one_file(tmp_path: Path) -> Settings:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(GAZETTES / "jincheng-2021-06.txt", data)
    settings = Settings(data_dir=data, index_dir=tmp_path / "index")
    run_ingest(settings, BigramEmbedder)
    return settings


def _following(settings: Settings, clock: _Clock) -> FollowingPipeline:
    embedder = BigramEmbedder()
    pipeline = Pipeline(load_index(settings, embedder=embedder), policy=PolicyConfig(min_coverage=0.45, min_dense=0.99))
    return follow(pipeline, settings, check_every_s=10.0, clock=clock)  # checks counted on a clock the test moves


def test_a_published_reingest_is_answered_from_after_the_next_check(one_file: Settings) -> None:
    clock = _Clock()
    followed = _following(one_file, clock)
    library = DocumentLibrary.following(followed)
    assert followed.generation == 1 and followed.answer(QUESTION).refused
    documents_before = len(library.documents)

    shutil.copy(GAZETTES / "jincheng-2018-04.txt", one_file.data_dir)
    run_ingest(one_file, BigramEmbedder)
    assert followed.answer(QUESTION).refused  # not checked yet: still the loaded generation
    clock.now = 10.0
    answer = followed.answer(QUESTION)
    assert followed.generation == 2 and followed.reloads == 1 and followed.index.generation == 2
    assert not answer.refused and any(c.doc_number == "晋市政发〔2018〕23号" for c in answer.citations)
    assert len(library.documents) > documents_before and len(library.chunk_counts) == len(library.documents) - sum(
        1 for d in library.documents if not library.chunk_counts.get(d))


def test_follow_now_answers_from_a_just_published_generation_without_waiting_for_the_check(one_file: Settings) -> None:
    clock = _Clock()
    followed = _following(one_file, clock)
    shutil.copy(GAZETTES / "jincheng-2018-04.txt", one_file.data_dir)
    run_ingest(one_file, BigramEmbedder)
    followed.follow_now()  # the clock has not moved: only the explicit call loads generation 2
    assert followed.generation == 2 and not followed.answer(QUESTION).refused
    followed.follow_now()
    assert followed.reloads == 1  # nothing new published: nothing reloaded


def test_it_keeps_answering_after_the_generation_it_loaded_is_pruned(one_file: Settings) -> None:
    clock = _Clock()
    followed = _following(one_file, clock)
    first = followed.answer("新开办企业免费刻制印章")
    for name in ("jincheng-2018-04.txt", "jincheng-2018-01.txt"):  # two publishes: generation 1 is pruned
        shutil.copy(GAZETTES / name, one_file.data_dir)
        run_ingest(one_file, BigramEmbedder)
        clock.now += 10.0
        followed.answer("新开办企业免费刻制印章")
    assert Generations.of(one_file).on_disk() == [2, 3] and followed.generation == 3
    again = followed.answer("新开办企业免费刻制印章")
    assert not again.refused and [c.chunk_id for c in again.citations] == [c.chunk_id for c in first.citations]


def test_a_failing_load_keeps_the_loaded_generation_and_is_retried(one_file: Settings) -> None:
    clock = _Clock()
    followed = _following(one_file, clock)
    attempts: list[int] = []
    real_load = followed._load

    def flaky() -> LoadedIndex:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("keyword index half-copied")
        return real_load()

    followed._load = flaky
    shutil.copy(GAZETTES / "jincheng-2018-04.txt", one_file.data_dir)
    run_ingest(one_file, BigramEmbedder)
    clock.now = 10.0
    assert followed.answer(QUESTION).refused and followed.generation == 1  # the failed load changed nothing
    clock.now = 20.0
    assert not followed.answer(QUESTION).refused and followed.generation == 2 and len(attempts) == 2
