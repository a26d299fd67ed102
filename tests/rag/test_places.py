"""Place vocabulary derived from the indexed documents: a city's counties are those its documents enumerate."""

from __future__ import annotations

from ingest.records import Document
from rag.index import LoadedIndex
from rag.places import Places, city_name


def _doc(city: str, text: str, n: int = 0) -> Document:
    return Document(doc_id=f"{city}-{n}", source_file="x.txt", city=city, gazette="", kind="notice", doc_type="通知",
                    title="通知", text=text, paragraphs=())


def test_the_bundled_cities_get_the_counties_their_documents_list(small_index: LoadedIndex) -> None:
    places = small_index.places
    assert set(places.cities) == {"晋城", "长治"}
    assert {"泽州", "阳城", "沁水", "陵川"} <= set(places.cities["晋城"])
    assert {"沁源", "潞州", "襄垣", "壶关"} <= set(places.cities["长治"])
    everywhere = {name for names in places.cities.values() for name in names}
    assert not everywhere & {"城区", "开发", "开发区", "市区"}  # generic words both cities use are no places
    assert "太原" in places.others and "晋城" not in places.others


def test_a_third_city_brings_its_own_places_and_leaves_the_other_cities_list() -> None:
    docs = [
        _doc("临汾", "请尧都区、曲沃县、翼城县、襄汾县、洪洞县按要求执行。另外尧都区、曲沃县、翼城县要率先完成。"),
        _doc("晋城", "泽州县、高平市、阳城县、陵川县、沁水县要加强开发区建设。泽州县负责。", 1),
    ]
    places = Places.of(docs)
    assert places.cities["临汾"][0] == "临汾" and {"尧都", "曲沃", "翼城"} <= set(places.cities["临汾"])
    assert "临汾" not in places.others and "太原" in places.others
    assert places.named("曲沃县的规定和泽州县比有什么不同") == ["临汾", "晋城"]
    assert places.named("How does Jincheng compare?") == ["晋城"]


def test_an_enumeration_that_starts_inside_a_word_does_not_make_a_place() -> None:
    places = Places.of([_doc("晋城", "鼓励阳城县、沁水县、陵川县发展。阳城县、沁水县、陵川县。")])
    assert "鼓励阳城" not in places.cities["晋城"] and "励阳城" not in places.cities["晋城"]
    assert {"阳城", "沁水", "陵川"} <= set(places.cities["晋城"])


def test_a_filter_value_names_its_city_in_chinese_with_or_without_its_suffix_or_in_pinyin() -> None:
    assert city_name("晋城") == city_name("晋城市") == city_name(" Jincheng ") == "晋城"
    assert city_name("changzhi") == "长治" and city_name("太原市") == "太原"
