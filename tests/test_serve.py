"""`kfor-kg serve`: the pages of the web view over the examples build (Starlette's test
client; tests/test_browser.py drives them in a real browser), from a file and from a store."""

from __future__ import annotations

import html
import json
import re
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note on the httpx version
    from starlette.testclient import TestClient

from kfor_kg.cli import cli
from kfor_kg.cli.serve import _is_loopback
from kfor_kg.rdf import export
from kfor_kg.stats import Corpus
from kfor_kg.stores import query
from kfor_kg.stores.output import format_result
from kfor_kg.web import make_site
from kfor_kg.web.app import create_app
from kfor_kg.web.site import Mention, highlight
from seed_build import seed_file
from servers import OxigraphServer

ID = "https://w3id.org/kfor-kg/id/"


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_file(tmp_path_factory.mktemp("serve"), "kfor.trig")


@pytest.fixture(scope="module")
def client(graph_file: Path) -> TestClient:
    return TestClient(create_app(make_site(Corpus(graph_file), label="kfor.trig")))


def _text_of(page: str) -> str:
    """The document text block of a page, markup removed."""
    block = re.search(r'<pre class="doc-text" id="text">(.*?)</pre>', page, re.S)
    assert block, "no text on the page"
    return html.unescape(re.sub(r"<[^>]+>", "", block.group(1)))


def test_documents_page_lists_the_header_facts(client: TestClient) -> None:
    page = client.get("/").text
    assert page.count('<a href="/doc/') == 5
    for fact in ("S/2007/652", "15,314", "≈5,500", "Mark Rutte", "2020-10-01 – 2020-12-31",
                 "kfor_2025-Q1_guterres.txt"):
        assert fact in page


def test_every_mention_is_highlighted_and_links_its_entity(client: TestClient,
                                                          graph_file: Path) -> None:
    page = client.get("/doc/letter-2021-03-05").text
    mentions = query.run("mentions", data=graph_file).rows
    ours = [(int(row[2]), int(row[3]), str(row[0]), str(row[4])) for row in mentions
            if str(row[1]) == ID + "doc/letter-2021-03-05"]
    links = re.findall(r'<a class="mention (\w+)" id="m(\d+)-(\d+)" href="/entity/([^"]+)"[^>]*>(.*?)</a>',
                       page, re.S)
    found = {(int(start), int(end)): (path, html.unescape(text)) for _k, start, end, path, text in links}
    # Every mention that does not lie inside another one is a link to its entity.
    outer = [m for m in ours if not any(o[0] <= m[0] and m[1] <= o[1] and o != m for o in ours)]
    assert len(found) == len(outer) > 20
    for start, end, entity, text in outer:
        assert found[(start, end)] == (entity.removeprefix(ID), text)
    # The text is the file's, whole.
    original = Path(__file__).parent.parent / "examples" / "reports" / "kfor_2020-Q4_guterres.txt"
    assert _text_of(page) == original.read_text(encoding="utf-8")


def test_entity_page_mentions_across_the_series_and_posts(client: TestClient) -> None:
    page = client.get("/entity/person/jens-stoltenberg").text
    assert "Jens Stoltenberg" in page and "Person" in page
    assert "Secretary-General of the North Atlantic Treaty Organization" in page
    assert page.count("signed a letter as") == 3
    assert 'href="/doc/letter-2017-10-25#m' in page  # a mention links back to its place in the text
    thaci = client.get("/entity/person/hashim-thaci").text
    assert "Hasim Thaci" in thaci and "submitted his resignation" in thaci
    assert "Kosovo, <mark>Hasim Thaci</mark>, submitted" in thaci  # the words marked in their sentence
    assert "not linked" in thaci


def test_entity_page_links_wikidata(tmp_path: Path, graph_file: Path) -> None:
    from kfor_kg.linking.link import LinkOptions, link_graph

    dataset = export.read(graph_file)
    link_graph(dataset, LinkOptions(offline=True, use_cache=False))
    linked = tmp_path / "linked.trig"
    export.write(dataset, linked)
    page = TestClient(create_app(make_site(Corpus(linked)))).get("/entity/person/antonio-guterres").text
    assert re.search(r'href="https://www\.wikidata\.org/wiki/Q\d+"', page)


def test_events_and_troops(client: TestClient) -> None:
    events = client.get("/events").text
    assert "Arrest of Jakup Krasniqi" in events and "<h2>Undated</h2>" in events
    assert events.index("<h2>2007</h2>") < events.index("<h2>2025</h2>")
    troops = client.get("/troops").text
    assert 'src="/troops.svg"' in troops and "≈3,500" in troops
    chart = client.get("/troops.svg")
    assert chart.headers["content-type"] == "image/svg+xml"
    assert len(re.findall(rb'<g id="troops-\d', chart.content)) == 5


def test_query_page_and_downloads(client: TestClient, graph_file: Path) -> None:
    page = client.get("/queries/signed_in_year", params={"year": "2017"}).text
    assert page.count("<tr>") == 3 and "António Guterres" in page and "Jens Stoltenberg" in page
    expected = query.run("signed_in_year", data=graph_file, params={"year": "2017"})
    csv = client.get("/queries/signed_in_year.csv", params={"year": "2017"})
    assert csv.text == format_result(expected, "csv")
    assert "attachment" in csv.headers["content-disposition"]
    rows = json.loads(client.get("/queries/troop_strength.json").text)
    assert rows[0]["troops"] == 15314 and rows[0]["approximate"] is False
    # Without its required parameter the form is shown, not run.
    assert 'id="result"' not in client.get("/queries/signed_in_year").text


def test_a_parameter_with_choices_is_a_list(client: TestClient) -> None:
    page = client.get("/queries/entities", params={"type": "Place"}).text
    assert '<select name="type" id="param-type">' in page
    assert "<option selected>Place</option>" in page and '<option value="">(any)</option>' in page
    rows = re.findall(r"<tr><td>(.*?)</td><td>([^<]*)</td>", page)
    assert rows and {kind for _entity, kind in rows} == {"Place"}
    # IRIs of entities and documents link to their pages.
    assert all(re.fullmatch(r'<a href="/entity/place/[^"]+">https://w3id.org/kfor-kg/id/place/[^<]+</a>',
                            entity) for entity, _kind in rows)
    assert '<a href="/doc/S-2007-652">https://w3id.org/kfor-kg/id/doc/S-2007-652</a>' in page


def test_bad_parameter_is_one_line_on_the_page(client: TestClient) -> None:
    answer = client.get("/queries/entities", params={"type": "Persn"})
    assert answer.status_code == 200
    assert re.search(r'id="query-error">\[K006\][^<]*Persn', answer.text)
    assert client.get("/queries/entities.csv", params={"type": "Persn"}).status_code == 400


def test_unknown_pages_are_404(client: TestClient) -> None:
    for url in ("/doc/S-1999-1", "/entity/person/nobody", "/queries/nothing", "/incidents.svg",
                "/entity/%3Cscript%3E", "/entity/person/a b", "/doc/%22x", "/doc/a%20b"):
        answer = client.get(url)
        assert answer.status_code == 404, url
        assert "<script>" not in answer.text


def test_a_build_without_figures_has_no_broken_chart(tmp_path: Path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_text("")
    app = TestClient(create_app(make_site(Corpus(empty))))
    assert "no troop strength" in app.get("/troops").text
    assert "<img" not in app.get("/troops").text and "<img" not in app.get("/events").text
    assert "(0)" in app.get("/").text


def test_a_document_without_its_file_says_where_to_look(graph_file: Path, tmp_path: Path) -> None:
    app = create_app(make_site(Corpus(graph_file), [tmp_path]))
    page = TestClient(app).get("/doc/S-2007-652").text
    assert "kfor-kg serve --reports FOLDER" in page and "kfor_2007-09_ban-ki-moon.txt" in page
    assert "S/2007/652" in page  # the header facts are still there


@pytest.mark.server
def test_a_store_gives_the_same_pages(client: TestClient, graph_file: Path, tmp_path: Path) -> None:
    with OxigraphServer(tmp_path / "db", preload=(graph_file,), union_default_graph=True) as server:
        store = TestClient(create_app(make_site(Corpus(endpoint=server.query_url), label="kfor.trig")))
        for url in ("/", "/doc/letter-2021-03-05", "/entity/person/hashim-thaci", "/events",
                    "/queries/signed_in_year?year=2017", "/troops.svg", "/events.svg"):
            assert store.get(url).content == client.get(url).content, url


@given(st.text(max_size=60), st.lists(st.tuples(st.integers(-5, 70), st.integers(-5, 70)), max_size=8))
def test_highlight_keeps_the_text(text: str, spans: list[tuple[int, int]]) -> None:
    mentions = [Mention(a, b, ID + "place/x", "Place", "X") for a, b in spans]
    rendered = str(highlight(text, mentions))
    assert html.unescape(re.sub(r"<[^>]+>", "", rendered)) == text
    assert rendered.count("<a ") == rendered.count("</a>")
    assert "<a " not in re.sub(r'<a [^>]*>[^<]*</a>', "", rendered)  # links never nest


def test_loopback_and_cli_errors(tmp_path: Path) -> None:
    assert _is_loopback("127.0.0.1") and _is_loopback("::1") and _is_loopback("localhost")
    assert not _is_loopback("0.0.0.0") and not _is_loopback("192.168.1.4")
    result = CliRunner().invoke(cli, ["serve", "--data", str(tmp_path / "none.ttl")])
    assert result.exit_code == 3 and "none.ttl" in result.stderr and "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["serve", "--data", "x.ttl", "--endpoint", "http://127.0.0.1:1/q"])
    assert result.exit_code == 2


def test_a_taken_port_is_one_line_before_anything_is_read(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--data", str(tmp_path / "none.ttl"),
                                          "--port", str(port)])
    assert result.exit_code == 3
    assert result.stderr == f"Error: [K001] cannot listen on 127.0.0.1:{port}: Address already in use\n"
