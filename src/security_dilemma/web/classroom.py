"""Classroom mode on the web: the join, seat, instructor and debrief pages and their JSON API.

Every action is one call into :class:`~security_dilemma.classroom.sessions.Classroom`, whose
state lives in the database (``WebConfig.database``, by default a SQLite file next to the run
store), so any app worker serves any request. A page is addressed by a capability token: the
instructor's (``/classroom/teach/{token}``) or a student's (``/classroom/seat/{token}``); the
server decides what the token may see. docs/classroom.md is the teacher's guide.
"""

from __future__ import annotations

import csv
import io
import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ..classroom.sessions import (
    PROPOSAL_KINDS,
    Classroom,
    Refused,
    SessionSettings,
)
from ..errors import BadInput, Problem

__all__ = ["install"]

TOKEN = r"^[A-Za-z0-9_-]{20,64}$"
Token = Annotated[str, PathParam(pattern=TOKEN)]
Group = Annotated[int | None, Query(ge=1, le=20)]
router = APIRouter()
_lock = threading.Lock()


def install(app: FastAPI) -> None:
    """Add the classroom's routes and its refusal handler to the application."""
    app.include_router(router)
    app.add_exception_handler(Refused, _refused)  # type: ignore[arg-type]


def _classroom(request: Request) -> Classroom:
    """The app's classroom, opened (and migrated) on first use."""
    state = request.app.state
    with _lock:
        room: Classroom | None = getattr(state, "classroom", None)
        if room is None:
            from ..classroom.store import database_for_store, open_database

            config = state.services.config
            url = config.database or database_for_store(config.store)
            room = Classroom(open_database(url))
            state.classroom = room
    return room


Room = Annotated[Classroom, Depends(_classroom)]


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    services = request.app.state.services
    context.setdefault("nav", "classroom")
    response: HTMLResponse = services.page(request, f"classroom/{name}", status, **context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _refused(request: Request, exc: Refused) -> Response:
    if request.url.path.startswith("/api/"):
        body = {"ok": False, "error": "refused", "problems": [exc.problem.to_dict()]}
        return JSONResponse(body, status_code=exc.status)
    services = request.app.state.services
    return services.page(request, "error.html", exc.status, problems=[exc.problem], nav="")  # type: ignore[no-any-return]


def _group(text: str) -> int | None:
    """A form's group field: empty (every group) or a number."""
    if not text:
        return None
    if not text.isdigit():
        raise BadInput(Problem("a group number", path="group"))
    return int(text)


def _uploaded(request: Request, case: str) -> str | None:
    """The YAML text of an uploaded case named by its id (``u-...``; the server's library
    validated it when it was uploaded), or None for a built-in case's id."""
    if not case.startswith("u-"):
        return None
    text: str = request.app.state.services.library.text(case)
    return text


def _back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- request bodies -------------------------------------------------------------------------


class JoinRequest(BaseModel):
    """A student joining a session with its code."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=4, max_length=16, description="The session's join code.")
    name: str = Field(min_length=1, max_length=80, description="The student's name.")
    seat: str | None = Field(None, max_length=64, description="Seat (actor id) to take.")
    group: int | None = Field(None, ge=1, le=20, description="Group (world) to join.")


class MoveRequest(BaseModel):
    """A seat's move for the open turn (``period`` guards against a stale or replayed form)."""

    model_config = ConfigDict(extra="forbid")

    period: int = Field(ge=0, description="The open turn's period.")
    move: dict[str, Any] = Field(description="The move (play.Move's fields).")


class MessageRequest(BaseModel):
    """A private message to another seat."""

    model_config = ConfigDict(extra="forbid")

    to: str = Field(max_length=64)
    text: str = Field(max_length=2000)


class ProposalRequest(BaseModel):
    """A proposal to another seat: a treaty, an alliance or an arms-control agreement."""

    model_config = ConfigDict(extra="forbid")

    to: str = Field(max_length=64)
    kind: Literal["treaty", "alliance", "arms_control"]
    text: str = Field("", max_length=2000)


class Decision(BaseModel):
    """The addressee's answer to a proposal."""

    model_config = ConfigDict(extra="forbid")

    accept: bool


class Control(BaseModel):
    """An instructor's action on every world, or one group's."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["pause", "resume", "extend", "advance"]
    minutes: float = Field(5.0, description="For extend: minutes added.")
    group: int | None = Field(None, ge=1, le=20)


class InjectRequest(BaseModel):
    """An instructor's event for the open turn of every world, or one group's."""

    model_config = ConfigDict(extra="forbid")

    inject: dict[str, Any]
    group: int | None = Field(None, ge=1, le=20)


# --- shared actions -------------------------------------------------------------------------


def _links(request: Request, created_token: str, code: str) -> dict[str, str]:
    base = str(request.base_url).rstrip("/")
    return {
        "instructor_url": f"{base}/classroom/teach/{created_token}",
        "join_url": f"{base}/classroom?code={code}",
    }


def _control(room: Classroom, token: str, req: Control) -> None:
    if req.action == "pause":
        room.pause(token, req.group)
    elif req.action == "resume":
        room.resume(token, req.group)
    elif req.action == "extend":
        room.extend(token, req.minutes, req.group)
    else:
        room.advance_now(token, req.group)


def _debriefed(room: Classroom, token: str, group: int, replicates: int) -> tuple[Any, int]:
    """A group's :class:`~..classroom.debrief.Debrief` and its world's id."""
    session = room.session(token)  # an instructor's token, before anything else
    from ..classroom.debrief import debrief

    world = room.worlds(session["id"], group)[0]
    doc = debrief(room.table(session), room.log(world["id"]), replicates=replicates)
    return doc, int(world["id"])


def _debrief(room: Classroom, token: str, group: int, replicates: int) -> dict[str, Any]:
    doc, world_id = _debriefed(room, token, group, replicates)
    return {
        "group": group,
        "debrief": doc.model_dump(mode="json"),
        "record": room.record(world_id),
    }


def _gradebook_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    columns = list(dict.fromkeys(k for row in rows for k in row)) or ["group", "seat", "student"]
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A spreadsheet cannot take a student's name as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# --- the JSON API ---------------------------------------------------------------------------


@router.post("/api/classroom/sessions", status_code=201, tags=["classroom"])
def api_create(room: Room, request: Request, settings: SessionSettings) -> dict[str, Any]:
    """Create a session (of a built-in or an uploaded case, by id): its join code and the
    instructor's link."""
    created = room.create(settings, _uploaded(request, settings.case))
    return {
        "ok": True,
        "session": created.session_id,
        "code": created.code,
        "instructor_token": created.instructor_token,
        **_links(request, created.instructor_token, created.code),
    }


@router.post("/api/classroom/join", status_code=201, tags=["classroom"])
def api_join(room: Room, request: Request, req: JoinRequest) -> dict[str, Any]:
    """Join with the code: a seat and its permanent link."""
    access = room.join(req.code, req.name, req.seat, req.group)
    base = str(request.base_url).rstrip("/")
    return {
        "ok": True,
        "token": access.token,
        "seat": access.actor,
        "group": access.group_no,
        "url": f"{base}/classroom/seat/{access.token}",
    }


@router.get("/api/classroom/seat/{token}", tags=["classroom"])
def api_seat(room: Room, token: Token) -> dict[str, Any]:
    """What the seat may see now."""
    return room.seat_state(token)


@router.post("/api/classroom/seat/{token}/move", tags=["classroom"])
def api_move(room: Room, token: Token, req: MoveRequest) -> dict[str, Any]:
    """Submit (or replace) the seat's move for the open turn."""
    move = room.submit_move(token, req.period, req.move)
    return {"ok": True, "period": req.period, "move": move.model_dump(mode="json")}


@router.post("/api/classroom/seat/{token}/messages", status_code=201, tags=["classroom"])
def api_message(room: Room, token: Token, req: MessageRequest) -> dict[str, Any]:
    """Send a private message to another seat."""
    return {"ok": True, "id": room.send_message(token, req.to, req.text)}


@router.post("/api/classroom/seat/{token}/proposals", status_code=201, tags=["classroom"])
def api_propose(room: Room, token: Token, req: ProposalRequest) -> dict[str, Any]:
    """Propose a treaty, an alliance or an arms-control agreement to another seat."""
    return {"ok": True, "id": room.propose(token, req.to, req.kind, req.text)}


@router.post("/api/classroom/seat/{token}/proposals/{proposal_id}", tags=["classroom"])
def api_decide(
    room: Room, token: Token, proposal_id: Annotated[int, PathParam(ge=1)], req: Decision
) -> dict[str, Any]:
    """Accept or reject a proposal addressed to the seat."""
    return {"ok": True, "state": room.decide(token, proposal_id, req.accept)}


@router.get("/api/classroom/teach/{token}", tags=["classroom"])
def api_overview(room: Room, token: Token) -> dict[str, Any]:
    """Every world of the session, every seat, the true state."""
    return room.overview(token)


@router.post("/api/classroom/teach/{token}/control", tags=["classroom"])
def api_control(room: Room, token: Token, req: Control) -> dict[str, Any]:
    """Pause, resume, extend or advance every world (or one group's)."""
    _control(room, token, req)
    return {"ok": True}


@router.post("/api/classroom/teach/{token}/inject", tags=["classroom"])
def api_inject(room: Room, token: Token, req: InjectRequest) -> dict[str, Any]:
    """An event played with the open turn."""
    room.inject(token, req.inject, req.group)
    return {"ok": True}


@router.get("/api/classroom/teach/{token}/log", tags=["classroom"])
def api_log(room: Room, token: Token, group: Group = 1) -> dict[str, Any]:
    """A world's table and closed turns (what play.replay replays) and its stored game."""
    session = room.session(token)
    world = room.worlds(session["id"], group)[0]
    return {
        "table": room.table(session).model_dump(mode="json"),
        "turns": [t.model_dump(mode="json") for t in room.log(world["id"])],
        "game": room.game(world["id"]).to_json(),
    }


@router.get("/api/classroom/teach/{token}/debrief", tags=["classroom"])
def api_debrief(
    room: Room,
    token: Token,
    group: Annotated[int, Query(ge=1, le=20)] = 1,
    replicates: Annotated[int, Query(ge=2, le=200)] = 20,
) -> dict[str, Any]:
    """The debrief of one group's world, with its record of messages and moves."""
    return _debrief(room, token, group, replicates)


@router.get("/classroom/teach/{token}/debrief.csv", include_in_schema=False)
def debrief_csv(
    room: Room,
    token: Token,
    table: Literal["timeline", "decisions", "closest", "measures"] = "decisions",
    group: Annotated[int, Query(ge=1, le=20)] = 1,
    replicates: Annotated[int, Query(ge=2, le=200)] = 20,
) -> Response:
    doc, _ = _debriefed(room, token, group, replicates)
    return Response(
        doc.to_frames()[table].to_csv(index=False),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="debrief-{group}-{table}.csv"'},
    )


@router.get("/classroom/teach/{token}/gradebook.csv", include_in_schema=False)
def gradebook(room: Room, token: Token) -> Response:
    return Response(
        _gradebook_csv(room.gradebook(token)),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="gradebook.csv"'},
    )


# --- pages ----------------------------------------------------------------------------------


@router.get("/classroom", response_class=HTMLResponse, include_in_schema=False)
def classroom_home(
    request: Request, code: Annotated[str, Query(max_length=16)] = ""
) -> HTMLResponse:
    from ..lenses import lens_names

    entries = request.app.state.services.library.entries()
    return _page(request, "home.html", code=code, cases=entries, lenses=lens_names())


@router.post("/classroom/create", include_in_schema=False)
def create_page(  # noqa: PLR0917 - one parameter per form field
    room: Room,
    request: Request,
    case: Annotated[str, Form(max_length=64)],
    seats: Annotated[str, Form(max_length=400)],
    turn_minutes: Annotated[float, Form()] = 10.0,
    groups: Annotated[int, Form()] = 1,
    turns: Annotated[int, Form()] = 8,
    lens: Annotated[str, Form(max_length=32)] = "case",
) -> Response:
    settings = _settings(
        case=case,
        seats=tuple(a.strip() for a in seats.split(",") if a.strip()),
        turn_minutes=turn_minutes,
        groups=groups,
        turns=turns,
        lens=lens,
    )
    created = room.create(settings, _uploaded(request, settings.case))
    return _back(f"/classroom/teach/{created.instructor_token}")


def _settings(**values: Any) -> SessionSettings:
    from pydantic import ValidationError

    try:
        return SessionSettings(**values)
    except ValidationError as exc:
        raise BadInput(
            [Problem(str(e["msg"]), path=".".join(str(x) for x in e["loc"])) for e in exc.errors()]
        ) from None


@router.post("/classroom/join", include_in_schema=False)
def join_page(
    room: Room,
    code: Annotated[str, Form(max_length=16)],
    name: Annotated[str, Form(max_length=80)],
    seat: Annotated[str, Form(max_length=64)] = "",
    group: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    access = room.join(code, name, seat or None, _group(group))
    return _back(f"/classroom/seat/{access.token}")


@router.get("/classroom/seat/{token}", response_class=HTMLResponse, include_in_schema=False)
def seat_page(room: Room, request: Request, token: Token) -> HTMLResponse:
    from ..classroom.play import MAX_EFFORT_CHANGE

    bounds = {"effort": (-MAX_EFFORT_CHANGE, MAX_EFFORT_CHANGE), "signal_cost": 10}
    return _page(
        request,
        "seat.html",
        doc=room.seat_state(token),
        token=token,
        kinds=PROPOSAL_KINDS,
        bounds=bounds,
    )


@router.get("/classroom/seat/{token}/live", response_class=HTMLResponse, include_in_schema=False)
def seat_live(room: Room, request: Request, token: Token) -> HTMLResponse:
    return _page(request, "_seat_live.html", doc=room.seat_state(token), token=token)


def _number(form: Any, key: str) -> float | None:
    raw = str(form.get(key, "")).strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise BadInput(Problem(f"a number, not '{raw[:20]}'", path=f"move.{key}")) from None


def move_from_form(form: Any, others: list[str]) -> dict[str, Any]:
    """The move a seat's form describes (an empty field: the default)."""
    move: dict[str, Any] = {}
    for key in ("effort", "allocation"):
        value = _number(form, key)
        if value is not None:
            move[key] = value
    for key in ("cooperation", "commitment"):
        values = {a: _number(form, f"{key}.{a}") for a in others}
        chosen = {a: v for a, v in values.items() if v is not None}
        if chosen:
            move[key] = chosen
    to, kind = str(form.get("signal_to", "")), str(form.get("signal_kind", ""))
    if to and kind:
        move["signals"] = [{"to": to, "kind": kind, "cost": _number(form, "signal_cost") or 0.0}]
    return move


@router.post("/classroom/seat/{token}/move", include_in_schema=False)
async def seat_move(room: Room, request: Request, token: Token) -> Response:
    form = await request.form()
    period = _number(form, "period")
    if period is None:
        raise BadInput(Problem("missing", path="period"))
    others = room.seat_state(token)["others"]
    room.submit_move(token, int(period), move_from_form(form, others))
    return _back(f"/classroom/seat/{token}")


@router.post("/classroom/seat/{token}/message", include_in_schema=False)
def seat_message(
    room: Room,
    token: Token,
    to: Annotated[str, Form(max_length=64)],
    text: Annotated[str, Form(max_length=2000)],
) -> Response:
    room.send_message(token, to, text)
    return _back(f"/classroom/seat/{token}")


@router.post("/classroom/seat/{token}/propose", include_in_schema=False)
def seat_propose(
    room: Room,
    token: Token,
    to: Annotated[str, Form(max_length=64)],
    kind: Annotated[str, Form(max_length=16)],
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    room.propose(token, to, kind, text)
    return _back(f"/classroom/seat/{token}")


@router.post("/classroom/seat/{token}/proposals/{proposal_id}", include_in_schema=False)
def seat_decide(
    room: Room,
    token: Token,
    proposal_id: Annotated[int, PathParam(ge=1)],
    answer: Annotated[Literal["accept", "reject"], Form()],
) -> Response:
    room.decide(token, proposal_id, answer == "accept")
    return _back(f"/classroom/seat/{token}")


@router.get("/classroom/teach/{token}", response_class=HTMLResponse, include_in_schema=False)
def teach_page(room: Room, request: Request, token: Token) -> HTMLResponse:
    from typing import get_args

    from ..classroom.play import EventKind

    doc = room.overview(token)
    return _page(
        request,
        "teach.html",
        doc=doc,
        token=token,
        join_url=f"{str(request.base_url).rstrip('/')}/classroom?code={doc['code']}",
        event_kinds=get_args(EventKind),
    )


@router.get("/classroom/teach/{token}/live", response_class=HTMLResponse, include_in_schema=False)
def teach_live(room: Room, request: Request, token: Token) -> HTMLResponse:
    return _page(request, "_teach_live.html", doc=room.overview(token), token=token)


@router.post("/classroom/teach/{token}/control", include_in_schema=False)
def teach_control(
    room: Room,
    token: Token,
    action: Annotated[Literal["pause", "resume", "extend", "advance"], Form()],
    minutes: Annotated[float, Form()] = 5.0,
    group: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    _control(room, token, Control(action=action, minutes=minutes, group=_group(group)))
    return _back(f"/classroom/teach/{token}")


@router.post("/classroom/teach/{token}/inject", include_in_schema=False)
def teach_inject(
    room: Room,
    token: Token,
    title: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form(max_length=20)] = "other",
    effects: Annotated[str, Form(max_length=20_000)] = "",
    group: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    from ..scenario.reader import read_yaml_text

    parsed = read_yaml_text(effects, "effects").data if effects.strip() else []
    if not isinstance(parsed, list):
        raise BadInput(Problem("a YAML list of case-format effects", path="effects"))
    inject = {"title": title, "kind": kind, "effects": parsed}
    room.inject(token, inject, _group(group))
    return _back(f"/classroom/teach/{token}")


@router.get(
    "/classroom/teach/{token}/debrief", response_class=HTMLResponse, include_in_schema=False
)
def debrief_page(
    room: Room,
    request: Request,
    token: Token,
    group: Annotated[int, Query(ge=1, le=20)] = 1,
    replicates: Annotated[int, Query(ge=2, le=200)] = 20,
) -> HTMLResponse:
    doc = _debrief(room, token, group, replicates)
    groups = [w["group"] for w in room.overview(token)["worlds"]]
    return _page(request, "debrief.html", doc=doc, token=token, groups=groups)
