"""Documents and their metadata: read from a .json beside the file, or detected from the text."""

from __future__ import annotations

import json
import re

import pytest

from rag.errors import SourceError
from rag.ingest import detect_metadata, load_document, load_documents
from tests.conftest import CORPUS, SEEDS

SOURCES = json.loads((CORPUS / "sources.json").read_text(encoding="utf-8")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not SOURCES, reason="provincial corpus not present")
@pytest.mark.parametrize("entry", SOURCES, ids=lambda e: e["file"].split("-2")[0])
def test_detection_agrees_with_sources_json(entry):
    d = load_document(CORPUS / entry["file"])  # no metadata file: everything detected
    assert (d.place, d.level, d.year) == (entry["place"], entry["level"], entry["year"])
    # the title names the same year and place (sources.json writes some titles differently)
    short = re.sub(r"(?:维吾尔|壮族|回族)?自治区$|省$|市$", "", entry["place"])
    assert str(entry["year"]) in d.title and short in d.title and d.title.endswith("政府工作报告")
    assert d.origin["place"] == "detected" and d.origin["year"] == "detected"
    # delivered before it was published, in the report's year
    assert d.date and d.date <= entry["published"] and d.date.startswith(str(entry["year"]))


@pytest.mark.parametrize("name,meta", [
    ("national-2024-government-work-report.txt", ("全国", "national", 2024, "2024-03-05", "2024年国务院政府工作报告")),
    ("national-2025-government-work-report.txt", ("全国", "national", 2025, "2025-03-05", "2025年国务院政府工作报告")),
    ("shandong-2026-government-work-report.txt", ("山东省", "province", 2026, "2026-01-27", "2026年山东省政府工作报告")),
])
def test_shipped_reports_are_detected(name, meta):
    d = load_document(SEEDS / name)
    assert (d.place, d.level, d.year, d.date, d.title) == meta


def test_a_metadata_file_wins_and_marks_the_home_document():
    d = load_document(SEEDS / "weihai-2025-government-work-report.txt")
    assert (d.place, d.level, d.year, d.title, d.home) == ("威海市", "city", 2025, "威海市2025年政府工作报告", True)
    assert d.origin["place"] == "json"


@pytest.mark.parametrize("lines,expected", [
    (["2026年某某省政府工作报告", "——二〇二六年一月二十七日在甘肃省十四届人民代表大会第四次会议上", "各位代表："],
     {"place": "甘肃省", "year": 2026, "date": "2026-01-27", "level": "province"}),
    (["政府工作报告", "——2024年3月5日在第十四届全国人民代表大会第二次会议上", "国务院总理　李强"],
     {"place": "全国", "year": 2024, "level": "national"}),
    (["北京市2026年政府工作报告", "各位代表：", "现在，我代表北京市人民政府，向大会报告政府工作"],
     {"place": "北京市", "year": 2026, "level": "province"}),  # a municipality is province-level
    (["2025年威海市政府工作报告", "各位代表：", "我代表市人民政府向大会报告工作"],
     {"place": "威海市", "year": 2025, "level": "city"}),
])
def test_detection_from_the_masthead(lines, expected):
    got = detect_metadata(lines)
    assert {k: got.get(k) for k in expected} == expected


def test_file_name_is_the_last_resort():
    got = detect_metadata(["各位代表：", "我代表省人民政府向大会报告工作。"], "hubei-2026-report.txt")
    assert (got["place"], got["year"], got["level"]) == ("湖北省", 2026, "province")
    assert got["_origin"]["place"] == "file name"


def test_bad_metadata_is_refused_with_the_fix(tmp_path):
    (tmp_path / "x.txt").write_text("各位代表：\n今年要办好民生实事。", encoding="utf-8")
    (tmp_path / "x.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(SourceError, match="fix or delete that file"):
        load_document(tmp_path / "x.txt")
    (tmp_path / "x.json").write_text('{"year": "next"}', encoding="utf-8")
    with pytest.raises(SourceError, match="not a year"):
        load_document(tmp_path / "x.txt")


def test_a_folder_without_reports_is_refused(tmp_path):
    with pytest.raises(SourceError, match="no .txt source"):
        load_documents(tmp_path)
