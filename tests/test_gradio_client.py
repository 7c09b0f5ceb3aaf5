"""The Gradio side of the running app, driven by ``gradio_client`` (what a Python integrator uses)."""

from __future__ import annotations

import pytest

pytestmark = [
    pytest.mark.slow,
    # raised inside gradio's queue (pandas 3 deprecations), not by this project
    pytest.mark.filterwarnings("ignore:.*(no_silent_downcasting|copy keyword).*"),
]


@pytest.fixture(scope="module")
def server(pipeline, tmp_path_factory):
    from ui.app import BackgroundServer, create_app

    db = tmp_path_factory.mktemp("feedback") / "feedback.db"
    with BackgroundServer(create_app(pipeline, db_path=db)) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    c = Client(server.url, verbose=False, download_files=False)
    yield c
    c.close()


def test_ask_chinese(client):
    result = client.predict("今年要建多少5G基站？", api_name="/ask")
    assert isinstance(result, dict)
    assert "900座" in result["direct_answer"]
    assert result["citations"][0]["line"] == 29
    assert result["refused"] is False


def test_ask_english_and_refusal(client):
    en = client.predict("How many 5G base stations this year?", api_name="/ask")
    assert "900座" in en["direct_answer"] and en["answer"].startswith("2025 plan:")
    no = client.predict("火星移民计划是什么？", api_name="/ask")
    assert no["refused"] is True and no["answer"].split("\n")[0].endswith("没有提到这方面的内容。")


def test_lookup_endpoint(client):
    html, picker, citation = client.predict("5g基站", api_name="/lookup")
    assert "第29行" in html and "<mark>5G基站" in html
    assert "（第29行）" in citation and "900座" in citation
    assert citation.startswith("《威海市2025年政府工作报告》")


def test_lookup_escapes_the_query(client):
    html, _, _ = client.predict("<img src=x onerror=alert(1)> 基站", api_name="/lookup")
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_only_the_documented_endpoints_are_public(client):
    api = client.view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/ask", "/lookup"}
    assert not api["unnamed_endpoints"]
