"""No per-report hand curation: the vocabulary in code and data files is generic.

The data files (colloquial and English words -> report terms) and the string literals of the code
must not name a place of the corpus, nor a line of a report. What is specific to one document is
derived from it at index time (CC-CEDICT entries, the segmenter's vocabulary)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from rag.places import gazetteer
from tests.conftest import ROOT

DATA_FILES = [ROOT / "rag" / "data" / "synonyms_zh.tsv", ROOT / "rag" / "data" / "lexicon_en.tsv"]
CODE_FILES = sorted((ROOT / "rag").glob("*.py")) + sorted((ROOT / "ui").glob("*.py"))
LINE_REF = re.compile(r"第\s*\d+\s*行|\blines?\s+\d+\b|\bL\d{1,3}\b")


def corpus_place_names() -> set[str]:
    """Every mainland province the gazetteer knows (a superset of the corpus's 28 provinces and the
    shipped reports' places) and their cities, as Chinese short names and English names, so the scan
    does not depend on the provincial corpus being checked out beside the project. Hong Kong, Macao
    and Taiwan publish no report of this kind and are generic vocabulary of the national reports."""
    places = {"威海", "weihai", "山东", "shandong", "昆嵛山", "kunyushan"}
    provinces = {p.name for p in gazetteer().values()
                 if p.level == "province" and p.short not in {"香港", "澳门", "台湾"}}
    for name in provinces:
        places.add(gazetteer()[name].short)
        places.update(gazetteer()[name].english)
    places.update(p.short for p in gazetteer().values()
                  if p.level == "city" and p.parent in provinces and len(p.short) >= 2)
    return places


def literals(path: Path) -> list[str]:
    """String constants of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
            and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docs]


PLACES = corpus_place_names()


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_vocabulary_files_name_no_place_and_no_line(path):
    bad = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.startswith("#"):
            continue
        low = raw.lower()
        hits = [p for p in PLACES if (p in raw if not p.isascii() else re.search(rf"\b{re.escape(p)}\b", low))]
        if hits or LINE_REF.search(raw):
            bad.append((n, raw, hits))
    assert not bad, bad[:10]


@pytest.mark.parametrize("path", CODE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_code_literals_name_no_place_and_no_line(path):
    bad = []
    for text in literals(path):
        low = text.lower()
        hits = [p for p in PLACES if len(p) >= 2 and (p in text if not p.isascii()
                                                      else re.search(rf"\b{re.escape(p)}\b", low))]
        if hits or LINE_REF.search(text.replace("第{line}行", "")):
            bad.append((text[:60], hits))
    assert not bad, bad[:10]


def test_the_scan_can_fail(tmp_path):
    f = tmp_path / "m.py"
    f.write_text('X = "机场"\nY = "威海昆嵛山机场"\nZ = "见第29行"\n', encoding="utf-8")
    texts = literals(f)
    assert any("威海" in t for t in texts) and any(LINE_REF.search(t) for t in texts)
    assert "机场" not in PLACES and "威海" in PLACES and "hubei" in PLACES


@pytest.mark.parametrize("english,term", [
    # an English word maps to its own translation first, not to what one report wrote near it
    ("elevator", "电梯"), ("coal", "煤炭"), ("robot", "机器人"), ("humanoid robot", "人形机器人"),
    ("square kilometer", "平方公里"), ("computing power", "算力"), ("drone", "无人机"), ("wheat", "小麦"),
    # …and not only to a longer word holding it (terminal: 智能终端, disabled: 残疾人)
    ("terminal", "终端"), ("disabled", "残疾"), ("sewage", "污水"), ("asia", "亚洲"), ("shop", "商店"),
    ("largest", "首位"), ("integration", "融合"), ("park", "公园"), ("kindergarten", "学前教育"),
])
def test_english_words_map_to_their_translation(english, term):
    from rag.lexicon import en_tokens, load_lexicon

    assert term in load_lexicon().en[tuple(en_tokens(english))]
