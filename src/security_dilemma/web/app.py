"""The web application: pages (server-rendered Jinja2 + htmx) and the JSON API under ``/api``.

:func:`create_app` builds a FastAPI application from a :class:`~.config.WebConfig`. Pages and
API share one implementation per action: a page calls the same function the API returns as
JSON, and the API's JSON is the CLI's ``--json`` document. docs/web.md describes the pages,
the API and the security model.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import functools
import hashlib
import io
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from .._tables import fixed
from .._version import __version__
from ..cli._common import LensRun, to_jsonable
from ..errors import BadInput, Problem
from .analyses import (
    MAX_ANALYSIS_REPLICATES,
    Analyses,
    AnalysisStatus,
    BacktestSettings,
    WhatifSettings,
    run_backtest,
    run_whatif,
)
from .config import WebConfig
from .figures import (
    DILEMMA_MEASURES,
    Series,
    calibration_frame,
    measures_frame,
    network_matrices,
    render,
    render_network,
    save,
    series_frame,
    series_options,
    skill_figure,
    skill_frame,
)
from .library import CASE_ID, CaseLibrary, check_text
from .runs import QueueFull, RunManager, plan_from_store
from .security import CSRF_FIELD, Guard

__all__ = ["create_app"]

RUN_ID = r"^[0-9a-f]{16}$"
MAX_TURNS, MAX_REPETITIONS, MAX_PLAYERS = 1000, 50, 16
"""Bounds of a tournament played on request (one HTTP request's worth of work)."""
CaseId = Annotated[str, PathParam(pattern=CASE_ID, max_length=64)]
RunId = Annotated[str, PathParam(pattern=RUN_ID)]
Name = Annotated[str, Query(max_length=64, pattern=r"^[A-Za-z0-9_.:-]*$")]


def _package_dir(name: str) -> Path:
    return Path(str(resources.files("security_dilemma.web") / name))


def safe_url(url: object) -> str | None:
    """A source URL fit for a link (http or https), else None (shown as text).

    >>> safe_url("https://example.org/a"), safe_url("javascript:alert(1)")
    ('https://example.org/a', None)
    """
    if not isinstance(url, str):
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


# --- request bodies of the API --------------------------------------------------------------


class CaseText(BaseModel):
    """A case file's YAML text (validate, upload)."""

    yaml: str = Field(max_length=4 * 1024 * 1024, description="The case file's text.")
    file: str = Field("upload.yaml", max_length=200, description="Name used in problems.")


class RunRequest(BaseModel):
    """A run to launch: a case id, lens settings, replicates and a seed."""

    case: str = Field(pattern=CASE_ID, max_length=64, description="Case id (GET /api/cases).")
    lenses: list[str] = Field(
        default_factory=lambda: ["realism"],
        min_length=1,
        max_length=5,
        description="Lens names, or 'case' (each actor's own lens).",
    )
    actor_lenses: dict[str, str] = Field(
        default_factory=dict, description="ACTOR -> lens, applied in each run (per-actor lens)."
    )
    parameters: dict[str, float] = Field(
        default_factory=dict,
        max_length=20,
        description="Model parameters set for the run, {dotted name: value} (`dilemma sweep "
        "--param NAME=V`; names: the case's `parameters`).",
    )
    replicates: int = Field(50, ge=2, description="Replicates per lens setting.")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Random seed.")


# --- the application ------------------------------------------------------------------------


MAX_KEPT = 512
"""Responses of complete runs kept in memory (the oldest go first)."""

_CSRF_MARK = b"\x00csrf\x00"


@dataclass(frozen=True, slots=True)
class Kept:
    """A complete run's response, kept with its CSRF token cut out (each request puts its own
    back)."""

    parts: tuple[bytes, ...]
    media_type: str | None
    headers: dict[str, str]
    digest: str

    @classmethod
    def of(cls, response: Response, csrf: str) -> Kept:
        """Keep ``response`` (rendered for a request whose CSRF token was ``csrf``)."""
        body = bytes(response.body)
        headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in ("content-length", "content-type", "set-cookie")
        }
        digest = hashlib.sha256(body.replace(csrf.encode(), _CSRF_MARK)).hexdigest()[:20]
        return cls(tuple(body.split(csrf.encode())), response.media_type, headers, digest)

    def body(self, csrf: str) -> bytes:
        """The body with this request's CSRF token."""
        return csrf.encode().join(self.parts) if len(self.parts) > 1 else self.parts[0]

    def etag(self, csrf: str) -> str:
        """The entity tag of the body with this CSRF token."""
        if len(self.parts) == 1:
            return f'"{self.digest}"'
        return f'"{self.digest}-{hashlib.sha256(csrf.encode()).hexdigest()[:8]}"'


class Services:
    """What the routes share: settings, case library, runs and templates."""

    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self.library = CaseLibrary(config.uploads)
        self.runs = RunManager(
            config.store,
            max_queue=config.max_queue,
            executor=config.executor,
            workers=config.workers,
        )
        self.analyses = Analyses(config.executor)
        self.templates = Jinja2Templates(directory=str(_package_dir("templates")))
        self.templates.env.filters["safe_url"] = safe_url
        self.templates.env.filters["fixed"] = fixed
        self.templates.env.globals["version"] = __version__
        self.templates.env.globals["csrf_field"] = CSRF_FIELD
        self._stored: dict[tuple[str, int, int], tuple[dict[str, Any], Any, list[Series], Any]] = {}
        self._figures: dict[tuple[str, Series, str | None, str, int], bytes] = {}
        self._drawn: dict[tuple[object, ...], bytes] = {}
        self._complete: set[str] = set()
        self._kept: collections.OrderedDict[tuple[str, str], Kept] = collections.OrderedDict()

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        """A page rendered from its template, with the request's CSRF token."""
        context.setdefault("nav", name.split(".")[0])
        return self.templates.TemplateResponse(
            request, name, {"csrf": request.state.csrf, **context}, status_code=status
        )

    # --- shared actions -------------------------------------------------------------------

    def validation_doc(self, text: str, file: str) -> dict[str, Any]:
        case, problems = check_text(text, file)
        return {
            "ok": not problems,
            "files": [
                {
                    "file": file,
                    "ok": not problems,
                    "case": case.id if case else None,
                    "problems": _problems_json(problems),
                }
            ],
        }

    def launch(self, req: RunRequest) -> dict[str, Any]:
        from ..cli.experiments import lens_setting
        from ..experiments import sweep_plan

        if req.replicates > self.config.max_replicates:
            raise BadInput(
                Problem(f"at most {self.config.max_replicates} on this server", path="replicates")
            )
        entry = self.library.get(req.case)
        actors = entry.case.actor_ids()
        unknown = [a for a in req.actor_lenses if a not in actors]
        if unknown:
            raise BadInput(Problem(f"unknown actor '{unknown[0]}'", path="actor_lenses"))
        pairs = tuple(sorted((a, lens) for a, lens in req.actor_lenses.items() if lens))
        settings = [
            lens_setting(LensRun(lens, pairs), actors) for lens in dict.fromkeys(req.lenses)
        ]
        plan = sweep_plan(
            entry.case,
            {name: [value] for name, value in req.parameters.items()},
            lenses=settings,
            replicates=req.replicates,
            seed=req.seed,
        )
        label = f"{entry.key}: {', '.join(p.lens or 'case lenses' for p in plan.points)}"
        label += "".join(f"; {k}={v:g}" for k, v in sorted(req.parameters.items()))
        label += f"; {req.replicates} replicates, seed {req.seed}"
        job = self.runs.submit(plan, entry.key, label)
        return {"ok": True, **job.to_json()}

    def runs_doc(self) -> dict[str, Any]:
        jobs = {j.run_id: j for j in self.runs.jobs()}
        with self.runs.reader() as store:
            frame = store.runs()
        frame["state"] = [
            self.runs.state_of(
                jobs.get(str(r["run_id"])), int(r["chunks_done"]), int(r["n_chunks"])
            )
            for r in frame.to_dict(orient="records")
        ]
        stored = set(frame["run_id"])
        waiting = [j.to_json() for j in self.runs.jobs() if j.run_id not in stored]
        return {"store": str(self.config.store), "runs": frame, "waiting": waiting}

    def stored(self, run_id: str) -> tuple[dict[str, Any], Any, list[Series], Any] | None:
        """A stored run's record, points and series; read once per state of the store."""
        with self.runs.reader() as store:
            row = store.con.execute(
                "SELECT (SELECT count(*) FROM chunks WHERE run_id = $1), "
                "(SELECT count(*) FROM sessions WHERE run_id = $1) "
                "FROM runs WHERE run_id = $1",
                [run_id],
            ).fetchone()
            if row is None:
                return None
            key = (run_id, int(row[0]), int(row[1]))
            hit = self._stored.get(key)
            if hit is None:
                info = store.run_info(run_id)
                done = info["chunks_done"] > 0
                options = series_options(store, run_id) if done else []
                measures = measures_frame(store, run_id) if done else None
                hit = (info, store.table(run_id, "points"), options, measures)
                if len(self._stored) >= 256:
                    self._stored.clear()
                self._stored[key] = hit
        return hit

    async def finished(
        self, request: Request, run_id: str, make: Callable[[], Response]
    ) -> Response:
        """``make()``'s response (computed in a thread), kept once the run is complete (it
        never changes again): later requests get it from memory, with the request's own CSRF
        token, an ``ETag`` and 304 for a matching ``If-None-Match``."""
        key = (request.url.path, request.url.query)
        kept = self._kept.get(key) if run_id in self._complete else None
        csrf: str = request.state.csrf
        if kept is None:
            response = await run_in_threadpool(make)
            if run_id not in self._complete or response.status_code != 200:
                return response
            kept = Kept.of(response, csrf)
            self._kept[key] = kept
            if len(self._kept) > MAX_KEPT:
                self._kept.popitem(last=False)
        etag = kept.etag(csrf)
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers={"ETag": etag})
        return Response(
            kept.body(csrf),
            media_type=kept.media_type,
            headers={**kept.headers, "ETag": etag, "Cache-Control": "no-cache"},
        )

    def run_doc(self, run_id: str) -> dict[str, Any]:
        job = self.runs.job(run_id)  # before the store: the store is then at least as new
        found = self.stored(run_id)
        if found is None:
            if job is None:
                raise BadInput(Problem(f"no run '{run_id}'", path="run_id"))
            return {"run_id": run_id, "state": job.state, "job": job.to_json(), "points": []}
        info, points, _, _ = found
        state = self.runs.state_of(job, info["chunks_done"], info["n_chunks"])
        if state == "complete":
            self._complete.add(run_id)
        return {
            **info,
            "points": points,
            "state": state,
            "job": job.to_json() if job else None,
        }

    def figure_data(self, run_id: str, series: Series, lens: str | None) -> Any:
        with self.runs.reader() as store:
            if (
                store.con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchone()
                is None
            ):
                raise BadInput(Problem(f"no run '{run_id}'", path="run_id"))
            frame = series_frame(store, run_id, series)
        if frame.empty:
            raise BadInput(Problem(f"no stored series '{series.label}'", path="metric"))
        if lens is not None:
            frame = frame[frame["lens"] == lens]
            if frame.empty:
                raise BadInput(Problem(f"no lens setting '{lens}' in this run", path="lens"))
        return frame

    def cached_figure(
        self, run_id: str, series: Series, lens: str | None, fmt: Literal["svg", "png"], done: int
    ) -> bytes:
        """A figure, drawn once per run state (``done``: its committed chunks)."""
        key = (run_id, series, lens, fmt, done)
        hit = self._figures.get(key)
        if hit is not None:
            return hit
        if len(self._figures) >= 256:
            self._figures.clear()
        frame = self.figure_data(run_id, series, lens)
        title = f"run {run_id}" + (f", {lens or 'case lenses'}" if lens is not None else "")
        self._figures[key] = render(frame, series, title + " (mean, band: ±1 sd)", fmt)
        return self._figures[key]

    def backtest(self, case_id: str, settings: BacktestSettings) -> AnalysisStatus:
        """The case's rolling-origin backtest with these settings (computed once)."""
        case = self.library.get(case_id).case
        return self.analyses.status("backtest", case, settings.check(), run_backtest)

    def whatif(self, case_id: str, settings: WhatifSettings) -> AnalysisStatus:
        """The case against one of its what-if worlds (computed once)."""
        case = self.library.get(case_id).case
        return self.analyses.status("whatif", case, settings.check(case), run_whatif)

    def drawn(self, key: tuple[object, ...], fmt: Literal["svg", "png"], draw: Any) -> bytes:
        """A figure of an analysis, drawn once per ``key`` (``draw()`` gives the Figure)."""
        key = (*key, fmt)
        hit = self._drawn.get(key)
        if hit is None:
            if len(self._drawn) >= 128:
                self._drawn.clear()
            hit = self._drawn[key] = save(draw(), fmt)
        return hit

    def chunks_done(self, run_id: str) -> int:
        with self.runs.reader() as store:
            row = store.con.execute(
                "SELECT count(*) FROM chunks WHERE run_id = ?", [run_id]
            ).fetchone()
        return int(row[0]) if row else 0

    def resume(self, run_id: str) -> dict[str, Any]:
        with self.runs.reader() as store:
            store.resolve(run_id)
            plan = plan_from_store(store, run_id)
            case_id = str(store.run_info(run_id)["case_id"])
        job = self.runs.submit(plan, case_id, f"{case_id}: resumed")
        return {"ok": True, **job.to_json()}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _problems_json(problems: list[Problem] | tuple[Problem, ...]) -> list[dict[str, Any]]:
    return [p.to_dict() for p in problems]


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


Svc = Annotated[Services, Depends(_services)]
router = APIRouter()


def create_app(config: WebConfig) -> FastAPI:
    """The application for one server (its runs stop when the application shuts down)."""
    services = Services(config)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        services.analyses.close()
        services.runs.close()

    app = FastAPI(
        title="security-dilemma",
        version=__version__,
        description="Explore cases, run them and read the results (docs/web.md).",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    app.add_middleware(
        Guard,
        token=config.token,
        allowed_hosts=config.allowed_hosts,
        max_body_bytes=config.max_body_bytes,
    )
    app.mount("/static", StaticFiles(directory=str(_package_dir("static"))), name="static")
    app.add_exception_handler(BadInput, bad_input)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(QueueFull, queue_full)  # type: ignore[arg-type]
    app.include_router(router)
    from .classroom import install as install_classroom  # classroom mode (docs/classroom.md)

    install_classroom(app)
    return app


# --- errors: 4xx with a message, never a traceback ---


async def bad_input(request: Request, exc: BadInput) -> Response:
    missing = all(p.path in ("case", "run_id", "prefix") for p in exc.problems)
    status = 404 if missing else 400
    if _wants_json(request):
        body = {"ok": False, "error": "bad input", "problems": _problems_json(exc.problems)}
        return JSONResponse(body, status_code=status)
    return _services(request).page(request, "error.html", status, problems=exc.problems, nav="")


async def invalid(request: Request, exc: RequestValidationError) -> Response:
    problems = [
        Problem(str(e.get("msg", "invalid")), path=".".join(str(x) for x in e.get("loc", ())))
        for e in exc.errors()
    ]
    if _wants_json(request):
        body = {"ok": False, "error": "bad input", "problems": _problems_json(problems)}
        return JSONResponse(body, status_code=422)
    return _services(request).page(request, "error.html", 422, problems=problems, nav="")


async def http_error(request: Request, exc: HTTPException) -> Response:
    if _wants_json(request) or exc.status_code == 405:
        return JSONResponse(
            {"ok": False, "error": "http", "message": str(exc.detail)},
            status_code=exc.status_code,
        )
    return _services(request).page(
        request, "error.html", exc.status_code, problems=[Problem(str(exc.detail))], nav=""
    )


async def queue_full(request: Request, exc: QueueFull) -> Response:
    if _wants_json(request):
        return JSONResponse(
            {"ok": False, "error": "busy", "message": str(exc)},
            status_code=429,
            headers={"Retry-After": "30"},
        )
    return _services(request).page(request, "error.html", 429, problems=[Problem(str(exc))], nav="")


# --- pages ----------------------------------------------------------------------------


@router.get("/", include_in_schema=False)
def home(svc: Svc) -> RedirectResponse:
    return RedirectResponse("/cases", status_code=303)


@router.get("/cases", response_class=HTMLResponse, include_in_schema=False)
def cases_page(svc: Svc, request: Request) -> HTMLResponse:
    return svc.page(request, "cases.html", entries=svc.library.entries())


@router.post("/cases/upload", include_in_schema=False)
async def upload_page(svc: Svc, request: Request, file: UploadFile) -> Response:
    raw = await file.read(svc.config.max_body_bytes + 1)
    name = Path(file.filename or "upload.yaml").name[:100]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(Problem("not UTF-8 text", name)) from None
    entry = svc.library.add(text, name)
    return RedirectResponse(f"/cases/{entry.key}", status_code=303)


@router.get("/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
def case_page(svc: Svc, request: Request, case_id: CaseId) -> HTMLResponse:
    from ..engine.params import DEFAULT_LENS
    from ..geo.casegeometry import case_geometry

    entry = svc.library.get(case_id)
    try:  # the capitals the engine targets (the actor's own, else its country's)
        targets = case_geometry(entry.case).targets
    except BadInput:  # an uploaded case with an unknown place: its page still opens
        targets = {}
    capitals = {a: ", ".join(loc.name for loc in locs) for a, locs in targets.items()}
    return svc.page(
        request,
        "case.html",
        entry=entry,
        case=entry.case,
        capitals=capitals,
        default_lens=DEFAULT_LENS,
    )


@router.get("/cases/{case_id}/download", include_in_schema=False)
def case_download(svc: Svc, case_id: CaseId) -> PlainTextResponse:
    return PlainTextResponse(
        svc.library.text(case_id),
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{case_id}.yaml"'},
    )


def _editor_context(svc: Services, text: str, file: str, problems: list[Problem]) -> dict[str, Any]:
    """What the editor's panes show for ``text``: the problems, the form and each field's
    problem (``problems``: those of form fields that could not be read)."""
    from ..lenses import lens_names
    from .caseform import EVENT_KINDS, field_of, form_of

    doc = svc.validation_doc(text, file)
    form = form_of(text, file)
    names = [f.name for f in form.fields]
    errors: dict[str, str] = {}
    for p in [*problems, *(Problem(**x) for x in doc["files"][0]["problems"])]:
        name = field_of(p.path, names)
        if name is not None:
            errors.setdefault(name, p.message)
    if problems:
        doc = {
            "ok": False,
            "files": [
                {
                    **doc["files"][0],
                    "ok": False,
                    "problems": [*_problems_json(problems), *doc["files"][0]["problems"]],
                }
            ],
        }
    return {
        "text": text,
        "doc": doc,
        "form": form,
        "errors": errors,
        "lens_names": lens_names(),
        "event_kinds": EVENT_KINDS,
    }


@router.get("/editor", response_class=HTMLResponse, include_in_schema=False)
def editor_page(
    svc: Svc, request: Request, case: Annotated[str, Query(pattern=CASE_ID)] = "bmd-europe"
) -> HTMLResponse:
    text = svc.library.text(case)
    context = _editor_context(svc, text, f"{case}.yaml", [])
    return svc.page(request, "editor.html", case_id=case, **context)


@router.post("/editor/validate", response_class=HTMLResponse, include_in_schema=False)
def editor_validate(
    svc: Svc,
    request: Request,
    yaml: Annotated[str, Form()],
    file: Annotated[str, Form(max_length=100)] = "case.yaml",
) -> HTMLResponse:
    """The YAML's problems, and the form read from it (swapped in out of band)."""
    context = _editor_context(svc, yaml, Path(file).name, [])
    return svc.page(request, "_form_sync.html", replace_yaml=False, **context)


@router.post("/editor/form", response_class=HTMLResponse, include_in_schema=False)
async def editor_form(svc: Svc, request: Request) -> HTMLResponse:
    """The form's fields written into the YAML: the new YAML (swapped in out of band), its
    problems and the form, each field's problem at the field."""
    from .caseform import apply_form

    form = await request.form()
    text = str(form.get("yaml", ""))
    fields = {str(k): str(v) for k, v in form.items() if k not in ("yaml", CSRF_FIELD)}
    problems: list[Problem] = []
    try:
        text, problems = await run_in_threadpool(apply_form, text, fields)
    except BadInput as exc:  # the YAML itself cannot be read: the form cannot apply
        problems = list(exc.problems)
    context = _editor_context(svc, text, "case.yaml", problems)
    if request.headers.get("hx-request"):
        return svc.page(request, "_form_sync.html", replace_yaml=True, **context)
    return svc.page(request, "editor.html", case_id="", **context)


@router.post("/editor/save", include_in_schema=False)
def editor_save(svc: Svc, request: Request, yaml: Annotated[str, Form()]) -> Response:
    _, problems = check_text(yaml, "case.yaml")
    if problems:
        context = _editor_context(svc, yaml, "case.yaml", [])
        return svc.page(request, "editor.html", 400, case_id="", **context)
    entry = svc.library.add(yaml, "case.yaml")
    target = f"/cases/{entry.key}"
    if request.headers.get("hx-request"):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.get("/map/{case_id}", response_class=HTMLResponse, include_in_schema=False)
def map_page(
    svc: Svc, request: Request, case_id: CaseId, date: dt.date | None = None
) -> HTMLResponse:
    entry = svc.library.get(case_id)
    dates = _map_dates(entry.case)
    chosen = date if date is not None else dates[-1]
    index = min(range(len(dates)), key=lambda i: abs((dates[i] - chosen).days))
    return svc.page(request, "map.html", entry=entry, case=entry.case, dates=dates, index=index)


@router.get("/cases/{case_id}/map.svg", include_in_schema=False)
def map_svg(svc: Svc, case_id: CaseId, date: dt.date | None = None) -> Response:
    entry = svc.library.get(case_id)
    return Response(
        _map_image(svc.library, entry.key, date),
        media_type="image/svg+xml",
        headers={"Cache-Control": "max-age=3600"},
    )


@router.get("/run", response_class=HTMLResponse, include_in_schema=False)
def run_form(
    svc: Svc, request: Request, case: Annotated[str, Query(pattern=CASE_ID)] = "bmd-europe"
) -> HTMLResponse:
    from ..lenses import lens_names

    entry = svc.library.get(case)
    return svc.page(
        request,
        "run.html",
        entry=entry,
        case=entry.case,
        keys=svc.library.keys(),
        lenses=lens_names(),
        max_replicates=svc.config.max_replicates,
        nav="runs",
    )


@router.post("/runs", include_in_schema=False)
async def run_launch(svc: Svc, request: Request) -> Response:
    form = await request.form()
    actor_lenses = {
        str(k)[6:]: str(v) for k, v in form.items() if str(k).startswith("actor:") and v
    }
    parameters: dict[str, float] = {}
    for n, line in enumerate(str(form.get("parameters", "")).splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        try:
            parameters[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise BadInput(
                Problem(f"line {n}: expected NAME=VALUE, got {line!r}", path="parameters")
            )
    try:
        req = RunRequest(
            case=str(form.get("case", "")),
            parameters=parameters,
            lenses=[str(v) for v in form.getlist("lens")] or ["realism"],
            actor_lenses=actor_lenses,
            replicates=int(str(form.get("replicates", "50")) or 50),
            seed=int(str(form.get("seed", "0")) or 0),
        )
    except ValueError as exc:
        raise BadInput(Problem(f"invalid run settings: {exc}", path="form")) from None
    job = svc.launch(req)
    return RedirectResponse(f"/runs/{job['run_id']}", status_code=303)


@router.get("/runs", response_class=HTMLResponse, include_in_schema=False)
def runs_page(svc: Svc, request: Request) -> HTMLResponse:
    return svc.page(request, "runs.html", doc=svc.runs_doc())


@router.get("/runs/{run_id}", response_class=HTMLResponse, include_in_schema=False)
async def run_page(
    svc: Svc,
    request: Request,
    run_id: RunId,
    *,
    metric: Name = "security",
    actor: Name = "",
    counterpart: Name = "",
    lens: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    return await svc.finished(
        request,
        run_id,
        lambda: _run_page(svc, request, run_id, Series(metric, actor, counterpart), lens),
    )


def _run_page(
    svc: Services, request: Request, run_id: str, chosen: Series, lens: str | None
) -> HTMLResponse:
    metric, actor = chosen.metric, chosen.actor
    if lens == "*":
        lens = None
    doc = svc.run_doc(run_id)
    found = svc.stored(run_id)
    options = found[2] if found is not None else []
    measures = found[3] if found is not None else None
    if options and chosen not in options:
        near = [s for s in options if s.metric == metric] or options
        chosen = next((s for s in near if s.actor == actor), near[0])
    lenses = [str(x) for x in doc["points"]["lens"]] if len(doc["points"]) else []
    steps: list[tuple[int, str]] = []
    if options:
        with svc.runs.reader() as store:
            steps = [
                (int(step), str(date)[:10])
                for step, date in store.con.execute(
                    "SELECT DISTINCT step, date FROM step_stats WHERE run_id = ? ORDER BY step",
                    [run_id],
                ).fetchall()
            ]
    from urllib.parse import urlencode

    from ..lenses import lens_names

    case_key = doc["job"]["case"] if doc.get("job") else str(doc.get("case_id", ""))
    named = [x for x in lenses if x in lens_names()] or ["realism"]
    analysis_query = urlencode([("lens", x) for x in named])
    return svc.page(
        request,
        "results.html",
        doc=doc,
        run_id=run_id,
        case_key=case_key,
        analysis_query=analysis_query,
        metrics=sorted({s.metric for s in options}),
        actors=sorted({s.actor for s in options if s.metric == chosen.metric}),
        counterparts=sorted(
            {
                s.counterpart
                for s in options
                if s.metric == chosen.metric and s.actor == chosen.actor
            }
        ),
        chosen=chosen,
        measures=measures,
        measure_names=DILEMMA_MEASURES,
        steps=steps,
        lenses=lenses,
        lens=lens,
        nav="runs",
    )


@router.get("/runs/{run_id}/events", include_in_schema=False)
async def run_events(svc: Svc, request: Request, run_id: RunId) -> StreamingResponse:
    svc.run_doc(run_id)  # 404 for an unknown run

    async def stream() -> AsyncIterator[str]:
        last: dict[str, Any] | None = None
        while True:
            job = svc.runs.job(run_id)
            if job is None:
                data: dict[str, Any] = {"run_id": run_id, "state": "stored"}
            else:
                data = job.to_json()
            if data != last:
                yield f"event: progress\ndata: {json.dumps(data)}\n\n"
                last = data
            if data["state"] not in ("queued", "running"):
                yield f"event: end\ndata: {json.dumps(data)}\n\n"
                return
            if await request.is_disconnected():
                return
            await asyncio.sleep(0.25)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )


@router.post("/runs/{run_id}/cancel", include_in_schema=False)
def run_cancel_page(svc: Svc, run_id: RunId) -> RedirectResponse:
    svc.runs.cancel(run_id)
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


@router.post("/runs/{run_id}/resume", include_in_schema=False)
def run_resume_page(svc: Svc, run_id: RunId) -> RedirectResponse:
    svc.resume(run_id)
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


@router.get("/runs/{run_id}/figure.{fmt}", include_in_schema=False)
async def run_figure(
    svc: Svc,
    request: Request,
    run_id: RunId,
    fmt: Literal["svg", "png", "csv"],
    *,
    metric: Name = "security",
    actor: Name = "",
    counterpart: Name = "",
    lens: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    series = Series(metric, actor, counterpart)
    return await svc.finished(request, run_id, lambda: _run_figure(svc, run_id, fmt, series, lens))


def _run_figure(
    svc: Services, run_id: str, fmt: Literal["svg", "png", "csv"], series: Series, lens: str | None
) -> Response:
    name = f"{run_id}-{series.label.replace(': ', '-')}"
    if fmt == "csv":
        frame = svc.figure_data(run_id, series, lens)
        return Response(
            frame.to_csv(index=False),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    body = svc.cached_figure(run_id, series, lens, fmt, svc.chunks_done(run_id))
    media = "image/svg+xml" if fmt == "svg" else "image/png"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'inline; filename="{name}.{fmt}"'},
    )


@router.get("/runs/{run_id}/network.{fmt}", include_in_schema=False)
def run_network(
    svc: Svc,
    run_id: RunId,
    fmt: Literal["svg", "png"],
    step: Annotated[int, Query(ge=0, le=100_000)] = 0,
    lens: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    svc.run_doc(run_id)  # 404 for an unknown run
    with svc.runs.reader() as store:
        labels, identity, commitment, date = network_matrices(store, run_id, step, lens)
    if not labels or not date:
        raise BadInput(Problem(f"no network stored at step {step} of lens '{lens}'", path="step"))
    title = f"{lens or 'case lenses'}, {date}: identity (colour), alliances (width)"
    body = render_network(labels, identity, commitment, title, fmt)
    media = "image/svg+xml" if fmt == "svg" else "image/png"
    return Response(body, media_type=media)


def _compared(svc: Services, a: str, b: str, series: Series) -> Any:
    """Both runs' frames of one series, each lens setting labelled with its run."""
    import pandas as pd

    frames = []
    for run_id in dict.fromkeys((a, b)):
        frame = svc.figure_data(run_id, series, None)
        frames.append(
            frame.assign(lens=[f"{run_id[:8]} {x or 'case lenses'}" for x in frame["lens"]])
        )
    return pd.concat(frames, ignore_index=True)


@router.get("/compare", response_class=HTMLResponse, include_in_schema=False)
def compare_page(
    svc: Svc,
    request: Request,
    a: Annotated[str, Query(pattern=RUN_ID)],
    b: Annotated[str, Query(pattern=RUN_ID)],
    *,
    metric: Name = "security",
    actor: Name = "",
    counterpart: Name = "",
) -> HTMLResponse:
    docs = [svc.run_doc(a), svc.run_doc(b)]
    series = Series(metric, actor, counterpart)
    found = svc.stored(a)
    options = [s for s in (found[2] if found else []) if s.metric == metric]
    if series not in options and options:
        series = options[0]
    _compared(svc, a, b, series)  # 4xx now, not in the image
    rows = [
        {
            "run_id": d["run_id"],
            "case_id": d.get("case_id", ""),
            "lenses": ", ".join(str(x) or "case lenses" for x in d["points"]["lens"]),
            "replicates": d.get("replicates", ""),
            "seed": d.get("seed", ""),
            "state": d["state"],
        }
        for d in docs
    ]
    return svc.page(request, "compare.html", a=a, b=b, rows=rows, chosen=series, nav="runs")


@router.get("/compare/figure.{fmt}", include_in_schema=False)
def compare_figure(
    svc: Svc,
    fmt: Literal["svg", "png", "csv"],
    a: Annotated[str, Query(pattern=RUN_ID)],
    b: Annotated[str, Query(pattern=RUN_ID)],
    *,
    metric: Name = "security",
    actor: Name = "",
    counterpart: Name = "",
) -> Response:
    series = Series(metric, actor, counterpart)
    frame = _compared(svc, a, b, series)
    name = f"{a[:8]}-vs-{b[:8]}-{series.label.replace(': ', '-')}"
    if fmt == "csv":
        return Response(
            frame.to_csv(index=False),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    body = render(frame, series, f"runs {a[:8]} and {b[:8]} (mean, band: ±1 sd)", fmt)
    media = "image/svg+xml" if fmt == "svg" else "image/png"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'inline; filename="{name}.{fmt}"'}
    )


@router.get("/games", response_class=HTMLResponse, include_in_schema=False)
def games_page(svc: Svc, request: Request) -> HTMLResponse:
    return svc.page(
        request,
        "games.html",
        jervis=_jervis(2.0, 2.0, 3.0, 1.0),
        kydd=_kydd(0.3, 2.0),
        classified=_classify(3, 0, 4, 1),
        tournament=_tournament([], 100, 5, 0.0, 0),
        lineup=_lineup(),
    )


@router.get("/games/jervis", response_class=HTMLResponse, include_in_schema=False)
def games_jervis(
    svc: Svc,
    request: Request,
    gain: float = 2.0,
    temptation: float = 2.0,
    exploitation_cost: float = 3.0,
    arms_cost: float = 1.0,
) -> HTMLResponse:
    doc = _jervis(gain, temptation, exploitation_cost, arms_cost)
    return svc.page(request, "_jervis.html", jervis=doc)


@router.get("/games/kydd", response_class=HTMLResponse, include_in_schema=False)
def games_kydd(
    svc: Svc,
    request: Request,
    prior: Annotated[float, Query(ge=0, le=1)] = 0.3,
    cost: Annotated[float, Query(ge=0)] = 2.0,
) -> HTMLResponse:
    return svc.page(request, "_kydd.html", kydd=_kydd(prior, cost))


Strategies = Annotated[list[str], Query(max_length=MAX_PLAYERS)]
Turns = Annotated[int, Query(ge=1, le=MAX_TURNS)]
Repetitions = Annotated[int, Query(ge=1, le=MAX_REPETITIONS)]
Noise = Annotated[float, Query(ge=0, le=1)]


@router.get("/games/tournament", response_class=HTMLResponse, include_in_schema=False)
def games_tournament(
    svc: Svc,
    request: Request,
    strategy: Strategies = [],  # noqa: B006 - FastAPI copies the default
    turns: Turns = 100,
    repetitions: Repetitions = 5,
    noise: Noise = 0.0,
) -> HTMLResponse:
    doc = _tournament(strategy, turns, repetitions, noise, 0)
    return svc.page(request, "_tournament.html", tournament=doc)


@router.get("/api/games/tournament", tags=["games"])
def api_tournament(
    strategy: Strategies = [],  # noqa: B006 - FastAPI copies the default
    turns: Turns = 100,
    repetitions: Repetitions = 5,
    noise: Noise = 0.0,
    seed: Annotated[int, Query(ge=0)] = 0,
) -> JSONResponse:
    """An iterated round robin, as ``dilemma games tournament --json`` (``strategy`` repeated:
    the line-up; default the ten classics)."""
    return JSONResponse(to_jsonable(_tournament(strategy, turns, repetitions, noise, seed)))


@router.get("/games/classify", response_class=HTMLResponse, include_in_schema=False)
def games_classify(
    svc: Svc, request: Request, r: float = 3, s: float = 0, t: float = 4, p: float = 1
) -> HTMLResponse:
    return svc.page(request, "_classify.html", classified=_classify(r, s, t, p))


# --- a case's analyses: the rolling-origin backtest and the what-if worlds ---------------------


class BacktestQuery(BaseModel):
    """A backtest's settings in a URL's query (``lens`` repeated)."""

    lens: list[str] = Field(default_factory=list, max_length=5, description="Lens names.")
    replicates: int = Field(40, ge=2, le=MAX_ANALYSIS_REPLICATES, description="Per lens.")
    horizon: int = Field(2, ge=1, le=10, description="Years forecast from each origin.")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Random seed.")

    def settings(self) -> BacktestSettings:
        """The analysis's settings (default lens: realism)."""
        lenses = tuple(dict.fromkeys(self.lens or ["realism"]))
        return BacktestSettings(lenses, self.replicates, self.horizon, self.seed)


class WhatifQuery(BaseModel):
    """A what-if comparison's settings in a URL's query (``lens`` repeated)."""

    world: str = Field("", max_length=64, description="A counterfactual id (default: the first).")
    lens: list[str] = Field(default_factory=list, max_length=5, description="Lens names, or case.")
    replicates: int = Field(40, ge=2, le=MAX_ANALYSIS_REPLICATES, description="Per lens.")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Random seed.")
    metric: str = Field("security", max_length=64, description="The table's metric (pages).")

    def settings(self, case: Any) -> WhatifSettings:
        """The analysis's settings (default world: the case's first; lens: realism)."""
        world = self.world or (case.counterfactuals[0].id if case.counterfactuals else "")
        lenses = tuple(dict.fromkeys(self.lens or ["realism"]))
        return WhatifSettings(world, lenses, self.replicates, self.seed)


BacktestQ = Annotated[BacktestQuery, Query()]
WhatifQ = Annotated[WhatifQuery, Query()]


def _download(body: bytes | str, fmt: str, name: str) -> Response:
    media = {"svg": "image/svg+xml", "png": "image/png", "csv": "text/csv"}[fmt]
    how = "attachment" if fmt == "csv" else "inline"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'{how}; filename="{name}.{fmt}"'}
    )


def _done(status: AnalysisStatus) -> Any:
    """The analysis's result; :class:`BadInput` while it computes or when it failed."""
    if status.state != "done":
        raise BadInput(
            Problem(status.message or "still computing; try again in a moment", path="analysis")
        )
    return status.result


def _query(request: Request) -> str:
    """The request's query without ``part`` (the links of a page's figures)."""
    from urllib.parse import urlencode

    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "part"])


def _analysis_json(status: AnalysisStatus, doc: Any) -> JSONResponse:
    if status.state == "running":
        return JSONResponse({"ok": True, "state": "running"}, status_code=202)
    if status.state == "failed":
        return JSONResponse(
            {"ok": False, "state": "failed", "error": "failed", "message": status.message},
            status_code=409,
        )
    return JSONResponse(to_jsonable({"ok": True, "state": "done", **doc(status.result)}))


def _analysis_page(
    svc: Services,
    request: Request,
    name: str,
    entry: Any,
    settings: object,
    status: AnalysisStatus | None,
    **more: Any,
) -> HTMLResponse:
    """A backtest or what-if page (or its part that polls): the case, the settings form, the
    analysis's state and ``more``."""
    from ..lenses import lens_names

    return svc.page(
        request,
        name,
        entry=entry,
        case=entry.case,
        settings=settings,
        analysis=status,
        lens_names=lens_names(),
        query=_query(request),
        nav="case",
        **more,
    )


@router.get("/cases/{case_id}/backtest", response_class=HTMLResponse, include_in_schema=False)
def backtest_page(
    svc: Svc, request: Request, case_id: CaseId, q: BacktestQ, part: bool = False
) -> HTMLResponse:

    entry = svc.library.get(case_id)
    settings = q.settings()
    status = svc.backtest(entry.key, settings)
    fc = status.result
    skills = skill_frame(fc).to_dict(orient="records") if fc is not None else []
    page = "_backtest.html" if part else "backtest.html"
    return _analysis_page(svc, request, page, entry, settings, status, fc=fc, skills=skills)


@router.get("/cases/{case_id}/backtest/{name}.{fmt}", include_in_schema=False)
def backtest_figure(
    svc: Svc,
    case_id: CaseId,
    name: Literal["skill", "reliability"],
    fmt: Literal["svg", "png", "csv"],
    q: BacktestQ,
) -> Response:
    from ..report.figures import forecast_figure

    settings = q.settings()
    fc = _done(svc.backtest(case_id, settings))
    file = f"{case_id}-backtest-{name}"
    if fmt == "csv":
        frame = skill_frame(fc) if name == "skill" else calibration_frame(fc)
        return _download(frame.to_csv(index=False), fmt, file)
    draw = (lambda: skill_figure(fc)) if name == "skill" else (lambda: forecast_figure(fc))
    return _download(svc.drawn(("backtest", case_id, settings, name), fmt, draw), fmt, file)


@router.get("/api/cases/{case_id}/backtest", tags=["cases"])
def api_backtest(svc: Svc, case_id: CaseId, q: BacktestQ) -> JSONResponse:
    """The case's rolling-origin backtest, as ``dilemma backtest CASE --origins ... --json``
    (default origins): 202 with ``state`` while it computes, then 200 with the document."""
    return _analysis_json(svc.backtest(case_id, q.settings()), lambda fc: fc.to_json())


@router.get("/cases/{case_id}/whatif", response_class=HTMLResponse, include_in_schema=False)
def whatif_page(
    svc: Svc, request: Request, case_id: CaseId, q: WhatifQ, part: bool = False
) -> HTMLResponse:

    entry = svc.library.get(case_id)
    settings = q.settings(entry.case)
    status = svc.whatif(entry.key, settings) if entry.case.counterfactuals else None
    cmp = status.result if status is not None else None
    rows: list[dict[str, Any]] = []
    metrics: list[str] = []
    if cmp is not None:
        final = cmp.final()
        metrics = sorted(set(final["metric"]))
        if q.metric not in metrics:
            raise BadInput(Problem(f"no metric '{q.metric}' in this comparison", path="metric"))
        rows = final[final["metric"] == q.metric].to_dict(orient="records")
        for r in rows:
            r["verdict"] = cmp.verdict(r["lens"], r["actor"]) if q.metric == "security" else ""
    page = "_whatif.html" if part else "whatif.html"
    return _analysis_page(
        svc, request, page, entry, settings, status, cmp=cmp, rows=rows, metrics=metrics,
        metric=q.metric,
    )  # fmt: skip


@router.get("/cases/{case_id}/whatif/figure.{fmt}", include_in_schema=False)
def whatif_figure_file(
    svc: Svc, case_id: CaseId, fmt: Literal["svg", "png", "csv"], q: WhatifQ
) -> Response:
    from ..report.findings import key_actors, key_dyads
    from ..report.whatif import whatif_figure

    case = svc.library.get(case_id).case
    settings = q.settings(case)
    cmp = _done(svc.whatif(case_id, settings))
    file = f"{case_id}-whatif-{settings.world}"
    if fmt == "csv":
        return _download(cmp.frame.to_csv(index=False), fmt, file)
    key = key_actors(case, key_dyads(case), limit=4)
    body = svc.drawn(("whatif", case_id, settings), fmt, lambda: whatif_figure(cmp, key))
    return _download(body, fmt, file)


@router.get("/api/cases/{case_id}/whatif", tags=["cases"])
def api_whatif(svc: Svc, case_id: CaseId, q: WhatifQ) -> JSONResponse:
    """The case against one of its what-if worlds (default: the first), as ``dilemma whatif
    CASE --json``: 202 with ``state`` while it computes, then 200 with the document."""
    case = svc.library.get(case_id).case
    return _analysis_json(svc.whatif(case_id, q.settings(case)), lambda cmp: cmp.to_json())


# --- the JSON API -----------------------------------------------------------------------


@router.get("/api/cases", tags=["cases"])
def api_cases(svc: Svc) -> JSONResponse:
    """The cases: as ``dilemma cases --json`` (``cases``), plus the uploaded ones."""
    from ..scenario import list_cases

    uploaded = [
        {"id": e.key, "case": e.case.id, "title": e.case.title}
        for e in svc.library.entries()
        if e.uploaded
    ]
    return JSONResponse(to_jsonable({"cases": list_cases(), "uploaded": uploaded}))


@router.get("/api/cases/{case_id}", tags=["cases"])
def api_case(svc: Svc, case_id: CaseId) -> JSONResponse:
    """A case, as ``dilemma show CASE --json``."""
    return JSONResponse(to_jsonable(svc.library.get(case_id).case))


@router.post("/api/cases", tags=["cases"], status_code=201)
def api_upload(svc: Svc, body: CaseText) -> JSONResponse:
    """Upload a case file (validated first; 400 with every located problem)."""
    entry = svc.library.add(body.yaml, Path(body.file).name)
    return JSONResponse({"ok": True, "id": entry.key, "case": entry.case.id}, status_code=201)


@router.post("/api/validate", tags=["cases"])
def api_validate(svc: Svc, body: CaseText) -> JSONResponse:
    """Validate case text, as ``dilemma validate FILE --json`` (200 either way)."""
    return JSONResponse(svc.validation_doc(body.yaml, Path(body.file).name))


@router.get("/api/cases/{case_id}/geojson", tags=["maps"])
def api_geojson(svc: Svc, case_id: CaseId, date: dt.date | None = None) -> Response:
    """The case's map features on a date, as ``dilemma map --geojson`` writes them, each with
    ``sources`` (the ids of the case's sources behind it; the interactive map shows them)."""
    entry = svc.library.get(case_id)
    path = svc.library.path(entry.key)
    body = _geojson_cached(str(path), path.stat().st_mtime, date)
    return Response(body, media_type="application/json")


@router.get("/api/land.geojson", tags=["maps"])
def api_land() -> Response:
    """Natural Earth's countries (1:110m, public domain), the interactive map's land layer."""
    from ..data.loaders import data_path

    return Response(
        data_path("countries").read_bytes(),
        media_type="application/geo+json",
        headers={"Cache-Control": "max-age=86400"},
    )


@router.get("/api/runs", tags=["runs"])
def api_runs(svc: Svc) -> JSONResponse:
    """The runs, as ``dilemma runs list --json``, with each run's live ``state``."""
    return JSONResponse(to_jsonable(svc.runs_doc()))


@router.post("/api/runs", tags=["runs"], status_code=202)
def api_launch(svc: Svc, body: RunRequest) -> JSONResponse:
    """Queue a run (429 when the queue is full); poll GET /api/runs/{run_id}."""
    return JSONResponse(svc.launch(body), status_code=202)


@router.get("/api/runs/{run_id}", tags=["runs"])
def api_run(svc: Svc, run_id: RunId) -> JSONResponse:
    """A run, as ``dilemma runs show RUN --json``, with its live ``state``."""
    return JSONResponse(to_jsonable(svc.run_doc(run_id)))


@router.post("/api/runs/{run_id}/cancel", tags=["runs"])
def api_cancel(svc: Svc, run_id: RunId) -> JSONResponse:
    """Cancel a queued or running run (409 when it is neither)."""
    job = svc.runs.cancel(run_id)
    if job is None:
        return JSONResponse(
            {"ok": False, "error": "conflict", "message": "the run is not queued or running"},
            status_code=409,
        )
    return JSONResponse({"ok": True, **job.to_json()})


@router.post("/api/runs/{run_id}/resume", tags=["runs"], status_code=202)
def api_resume(svc: Svc, run_id: RunId) -> JSONResponse:
    """Compute the chunks a stored run lacks (after a restart or a cancel)."""
    return JSONResponse(svc.resume(run_id), status_code=202)


@router.get("/api/runs/{run_id}/series", tags=["runs"])
def api_series(
    svc: Svc, run_id: RunId, metric: Name = "security", actor: Name = "", counterpart: Name = ""
) -> JSONResponse:
    """One series per lens and step: n, mean, sd (the figure's data)."""
    frame = svc.figure_data(run_id, Series(metric, actor, counterpart), None)
    return JSONResponse(to_jsonable({"run_id": run_id, "series": frame}))


@router.get("/api/games/jervis", tags=["games"])
def api_jervis(
    svc: Svc,
    gain: float = 2.0,
    temptation: float = 2.0,
    exploitation_cost: float = 3.0,
    arms_cost: float = 1.0,
) -> JSONResponse:
    """Jervis's four worlds, as ``dilemma games jervis --json``."""
    return JSONResponse(to_jsonable(_jervis(gain, temptation, exploitation_cost, arms_cost)))


@router.get("/api/games/kydd", tags=["games"])
def api_kydd(
    svc: Svc,
    prior: Annotated[float, Query(ge=0, le=1)] = 0.3,
    cost: Annotated[float, Query(ge=0)] = 2.0,
) -> JSONResponse:
    """Kydd's reassurance game, as ``dilemma games kydd --json``."""
    return JSONResponse(to_jsonable(_kydd(prior, cost)))


@router.get("/api/games/classify", tags=["games"])
def api_classify(svc: Svc, r: float = 3, s: float = 0, t: float = 4, p: float = 1) -> JSONResponse:
    """The symmetric 2x2 game [[R, S], [T, P]] named, as ``dilemma games classify --json``."""
    return JSONResponse(to_jsonable(_classify(r, s, t, p)))


# --- helpers that need no request -----------------------------------------------------------


def _map_dates(case: Any) -> list[dt.date]:
    """The dates of the map's slider: the case's start, every event's date, its end."""
    days = {case.span.start, case.span.end, *(e.date for e in case.events)}
    return sorted(d for d in days if case.span.start <= d <= case.span.end)


@functools.lru_cache(maxsize=64)
def _map_cached(path: str, mtime: float, date: dt.date | None) -> bytes:
    from ..geo.maps import case_map
    from ..scenario.loader import load_case_file

    fig = case_map(load_case_file(path), date=date)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None}, facecolor="white")
    return buffer.getvalue()


@functools.lru_cache(maxsize=64)
def _geojson_cached(path: str, mtime: float, date: dt.date | None) -> bytes:
    """The case's features on ``date`` with the sources behind each (JSON bytes)."""
    from ..geo.maps import case_geojson
    from ..scenario.loader import load_case_file

    case = load_case_file(path)
    doc = case_geojson(case, date)
    sources = {
        **{("capital", a.id): a.source for a in case.actors},
        **{("site", s.id): s.source for s in case.defence_sites},
        **{("missile", m.id): m.source for m in case.missiles},
    }
    for feature in doc["features"]:
        props = feature["properties"]
        key = ("capital", props.get("actor")) if props["kind"] == "capital" else None
        if "missile" in props:
            key = ("missile", props["missile"])
        elif props["kind"] in ("site", "flyout", "radar"):
            key = ("site", props["id"])
        found = sources.get(key) if key else None
        props["sources"] = [found] if isinstance(found, str) else list(found or [])
    return json.dumps(to_jsonable(doc), separators=(",", ":")).encode("utf-8")


def _map_image(library: CaseLibrary, key: str, date: dt.date | None) -> bytes:
    path = library.path(key)
    return _map_cached(str(path), path.stat().st_mtime, date)


def _lineup() -> list[tuple[str, bool]]:
    """Every strategy name, and whether it is in the default line-up."""
    from ..cli.games import DEFAULT_LINEUP
    from ..games import STRATEGIES

    more = [n for n in STRATEGIES if n not in DEFAULT_LINEUP and n not in ("Random", "MemoryOne")]
    return [(name, True) for name in DEFAULT_LINEUP] + [(name, False) for name in more]


def _finite(**values: float) -> None:
    import math

    bad = [
        Problem(f"must be a finite number, got {v}", path=k)
        for k, v in values.items()
        if not math.isfinite(v)
    ]
    if bad:
        raise BadInput(bad)


def _jervis(
    gain: float, temptation: float, exploitation_cost: float, arms_cost: float
) -> dict[str, Any]:
    from ..games import JervisParams, four_worlds

    params = JervisParams(gain, temptation, exploitation_cost, arms_cost).validate()
    return {
        "params": {
            "gain": gain,
            "temptation": temptation,
            "exploitation_cost": exploitation_cost,
            "arms_cost": arms_cost,
        },
        "worlds": [w.to_dict() for w in four_worlds(params)],
    }


def _kydd(prior: float, cost: float) -> dict[str, Any]:
    from ..games import reassurance

    result: dict[str, Any] = reassurance(prior, cost).to_dict()
    return result


def _tournament(
    names: list[str], turns: int, repetitions: int, noise: float, seed: int
) -> dict[str, Any]:
    """An iterated round robin (``dilemma games tournament --json``'s document)."""
    from ..cli.games import DEFAULT_LINEUP
    from ..games import MatchConfig, parse_strategy, round_robin

    _finite(noise=noise)
    chosen = names or list(DEFAULT_LINEUP)
    problems: list[Problem] = []
    players = []
    for i, name in enumerate(chosen):
        try:
            players.append(parse_strategy(name))
        except BadInput as exc:
            problems += [Problem(p.message, path=f"strategy[{i}]") for p in exc.problems]
    if len(chosen) < 2:
        problems.append(Problem("choose at least two strategies", path="strategy"))
    if problems:
        raise BadInput(problems)
    config = MatchConfig(turns=turns, noise=noise).validate()
    result: dict[str, Any] = round_robin(players, config, repetitions, seed).to_dict()
    return result


def _classify(r: float, s: float, t: float, p: float) -> dict[str, Any]:
    from ..games import Game, classify

    _finite(r=r, s=s, t=t, p=p)
    game = Game.symmetric([[r, s], [t, p]])
    return {"game": game.to_dict(), **classify(game).to_dict()}
