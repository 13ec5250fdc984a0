"""The web view's routes (Starlette): server-rendered HTML from Jinja2 templates, no scripts.

Handlers are plain functions: Starlette runs them in its thread pool, so a slow query
does not hold up the other pages.

| path | page |
|---|---|
| `/` | documents with their header facts |
| `/doc/{key}` | a document: header facts and its text, every mention a link to its entity |
| `/entity/{kind}/{key}` | an entity: names, Wikidata item, posts, mentions across the series |
| `/events` | events by year (and the events chart) |
| `/troops` | troop strength: the chart and the figures |
| `/troops.svg`, `/events.svg` | the charts of `kfor-kg plot` |
| `/queries`, `/queries/{name}?PARAM=VALUE` | a shipped query with its parameters, as a table |
| `/queries/{name}.csv`, `.json` | the same rows to download |
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from kfor_kg.errors import KforError
from kfor_kg.stores import query
from kfor_kg.stores.output import format_result
from kfor_kg.web.site import Site, doc_url, entity_url

__all__ = ["create_app"]

TEMPLATES = Path(__file__).parent / "templates"


def _linked(cell: str) -> Markup:
    """A result cell; a document's or an entity's IRI links to its page."""
    url = doc_url(str(cell)) or entity_url(str(cell))
    if url is None:
        return escape(str(cell))
    return Markup('<a href="{}">{}</a>').format(url, str(cell))


def create_app(site: Site) -> Starlette:
    """The web application over `site` (a build and its report files)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=False, lstrip_blocks=False)
    env.filters["linked"] = _linked
    charts: dict[str, bytes] = {}

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(site_label=site.label, **context)
        return HTMLResponse(html, status_code=status)

    def missing(message: str) -> HTMLResponse:
        return page("missing.html", status=404, message=message)

    def can_chart() -> bool:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            return False
        return True

    def documents(_request: Request) -> Response:
        return page("documents.html", documents=site.documents())

    def document(request: Request) -> Response:
        key = request.path_params["key"]
        try:
            data = site.document(key)
        except KforError:  # not a key an IRI can end in
            data = None
        if data is None:
            return missing(f"The build has no document {key!r}.")
        return page("document.html", d=data)

    def entity(request: Request) -> Response:
        path = request.path_params["path"]
        try:
            data = site.entity(path)
        except KforError:
            data = None
        if data is None:
            return missing(f"The build has no entity {path!r}.")
        return page("entity.html", e=data)

    def events(_request: Request) -> Response:
        years = site.events()
        monthly = any(len(event["date"]) >= 7 for _year, events in years for event in events)
        return page("events.html", years=years, chart=can_chart() and monthly)

    def troops(_request: Request) -> Response:
        rows = site.shipped("troop_strength")
        has_chart = can_chart() and bool(rows)
        for row in rows:
            doc = row["report"].rsplit("/report", 1)[0]
            row["url"] = doc_url(doc) or ""
            row["key"] = doc.rsplit("/", 1)[-1]
        return page("troops.html", rows=rows, chart=has_chart)

    def chart(request: Request) -> Response:
        from kfor_kg import plot

        name = request.path_params["chart"]
        if name not in plot.CHARTS or not can_chart():
            return missing(f"No chart {name!r}.")
        if name not in charts or site.corpus.endpoint is not None:
            try:
                charts[name] = plot.render(name, site.corpus, "svg")
            except KforError as error:
                return missing(str(error))
        return Response(charts[name], media_type="image/svg+xml")

    def queries(request: Request) -> Response:
        shipped = []
        for path in query.shipped_queries().values():
            try:
                shipped.append(query.load_query(path))
            except KforError:
                continue  # a broken file is listed by `kfor-kg queries`, not here
        name = request.path_params.get("name")
        fmt = request.path_params.get("fmt")
        if name is None:
            return page("queries.html", queries=shipped, spec=None)
        spec = next((q for q in shipped if q.name == name), None)
        if spec is None:
            return missing(f"No shipped query {name!r}.")
        values = {p: request.query_params[p] for p in spec.params
                  if request.query_params.get(p, "").strip()}
        ready = all(p.optional or p.name in values for p in spec.params.values())
        result, error = None, None
        if ready:
            try:
                result = site.run(spec, values)
            except KforError as exc:
                error = str(exc)
        if fmt is not None:
            if result is None or fmt not in ("csv", "json"):
                return Response(error or "give the query's parameters", status_code=400,
                                media_type="text/plain")
            media = "text/csv" if fmt == "csv" else "application/json"
            return Response(format_result(result, fmt), media_type=f"{media}; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
        qs = ("?" + urlencode(values)) if values else ""
        return page("queries.html", queries=shipped, spec=spec, values=values, result=result,
                    error=error, qs=qs)

    routes = [
        Route("/", documents),
        Route("/doc/{key}", document),
        Route("/entity/{path:path}", entity),
        Route("/events", events),
        Route("/troops", troops),
        Route("/{chart}.svg", chart),
        Route("/queries", queries),
        Route("/queries/{name}.{fmt}", queries),
        Route("/queries/{name}", queries),
    ]
    app = Starlette(routes=routes)
    app.state.site = site
    return app
