"""JSON API: contacts and tasks of a person, and the signed-in clinician's open tasks
(CM-6, CM-7)."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import HTTPException, Request
from pydantic import BaseModel, Field

from ltc.care.work import services as work
from ltc.care.work.models import Task
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.policy import CLINICIANS, policy

api = guarded_router()


class ContactIn(BaseModel):
    kind: str = Field(max_length=32, description=", ".join(work.KINDS))
    on: date
    outcome: str = Field(max_length=work.MAX_TEXT)


class ContactOut(BaseModel):
    id: int
    nhs_number: str
    kind: str
    on: date
    outcome: str


@api.post("/people/{nhs_number}/contacts", response_model=ContactOut, status_code=201)
@policy("person", roles=CLINICIANS)
def post_contact(nhs_number: str, body: ContactIn, db: Db, me: Me) -> ContactOut:
    try:
        row = work.record_contact(db, nhs_number, me, body.on, body.kind, body.outcome)
    except work.WorkError as e:
        raise HTTPException(422, str(e)) from e
    return ContactOut(id=row.id, nhs_number=row.nhs_number, kind=row.kind, on=row.on,
                      outcome=row.outcome)


class TaskIn(BaseModel):
    title: str = Field(max_length=work.MAX_TITLE)
    due_on: date
    assigned_to: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                    description="a clinician's user id; default: you")


class TaskOut(BaseModel):
    id: int
    nhs_number: str
    title: str
    due_on: date | None
    assigned_to: int
    done_at: datetime | None
    overdue: bool


def task_out(t: Task, today: date) -> TaskOut:
    return TaskOut(id=t.id, nhs_number=t.nhs_number, title=t.title, due_on=t.due_on,
                   assigned_to=t.assigned_to, done_at=t.done_at,
                   overdue=t.done_at is None and t.due_on is not None and t.due_on < today)


@api.post("/people/{nhs_number}/tasks", response_model=TaskOut, status_code=201)
@policy("person", roles=CLINICIANS)
def post_task(nhs_number: str, body: TaskIn, db: Db, me: Me) -> TaskOut:
    try:
        row = work.add_task(db, nhs_number, me, body.title, body.due_on, body.assigned_to)
    except work.WorkError as e:
        raise HTTPException(422, str(e)) from e
    return task_out(row, date.today())


@api.get("/people/{nhs_number}/tasks", response_model=list[TaskOut])
@policy("person", roles=CLINICIANS)
def get_tasks(nhs_number: str, db: Db) -> list[TaskOut]:
    today = date.today()
    return [task_out(t, today) for t in work.tasks_of(db, nhs_number)]


class MyTaskOut(TaskOut):
    case_manager: str | None  # the person's named case manager (CM-7)


@api.get("/tasks", response_model=list[MyTaskOut])
@policy("signed_in", roles=CLINICIANS)
def get_my_tasks(request: Request, db: Db, me: Me) -> list[MyTaskOut]:
    today = date.today()
    found = work.open_tasks(db, me, today)
    for nhs_number in dict.fromkeys(t.person.nhs_number for t in found):
        request.state.audit.add(nhs_number, "list", "GET /api/v1/tasks")
    return [MyTaskOut(**task_out(t.task, today).model_dump(),
                      case_manager=t.case_manager.display_name if t.case_manager else None)
            for t in found]
