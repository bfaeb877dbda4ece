"""What the dashboard's problem pages show: a run's problems filtered and paged (the problems slice's
listing), and one problem with its lineage up to the seed, its variants below it, its rationales with
their verdicts and the student's outputs and label in each round."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from fdd_web.errors import NotFound
from orchestrator.enums import LabelValue, Origin
from orchestrator.pagination import page_of
from orchestrator.problems import repository as problems_repository
from orchestrator.problems import service as problems_service
from orchestrator.problems.schemas import ProblemRead
from orchestrator.runs.service import get_run_or_404
from orchestrator.ui import repository


def problems_page(
    session: Session,
    run_id: int,
    *,
    limit: int,
    cursor: int | None,
    round_created: int | None,
    origin: Origin | None,
    label: LabelValue | None,
    label_round: int | None,
    steps: int | None,
) -> dict[str, Any]:
    """A page of the run's problems, each with its label per round."""
    run = get_run_or_404(session, run_id)
    rows = problems_repository.list_page(
        session, run_id, limit=limit, cursor=cursor, round_created=round_created, origin=origin,
        label=label, label_round=label_round, steps=steps,
    )  # fmt: skip
    page = page_of([ProblemRead.model_validate(dict(r)) for r in rows], [r["id"] for r in rows], limit)
    labels: dict[int, list[tuple[int, str]]] = defaultdict(list)
    ids = [p.id for p in page.items]
    for pid, index, value, _rate in problems_repository.label_history(session, ids) if ids else []:
        labels[pid].append((index, str(value)))
    return {"run": run, "items": page.items, "next_cursor": page.next_cursor, "labels": labels}


def _tree(root_id: int, rows: list[tuple[Any, int]]) -> list[dict[str, Any]]:
    """Nest (problem, depth) rows under their parents, children in id order."""
    children: dict[int, list[Any]] = defaultdict(list)
    for problem, _depth in rows:
        children[problem.parent_id].append(problem)

    def nest(pid: int) -> list[dict[str, Any]]:
        return [{"problem": p, "children": nest(p.id)} for p in children.get(pid, [])]

    return nest(root_id)


def problem_page(session: Session, problem_id: int) -> dict[str, Any]:
    problem = problems_repository.get(session, problem_id)
    if problem is None:
        raise NotFound(f"problem {problem_id} not found")
    lineage = problems_service.get_lineage(session, problem_id)
    descendants = repository.descendants(session, problem_id)
    rounds = []
    for index, label in repository.labels_with_outputs(session, problem_id):
        outputs = label.outputs or {}
        rounds.append({
            "round": index, "label": label.label.value, "pass_rate": label.pass_rate,
            "answer": outputs.get("answer"), "outcome": outputs.get("outcome"),
            "outputs": [o for o in outputs.get("outputs") or [] if isinstance(o, dict)],
        })  # fmt: skip
    return {
        "run": get_run_or_404(session, problem.run_id),
        "problem": problem,
        "ancestors": lineage.chain[1:],
        "variants": _tree(problem_id, descendants),
        "variant_count": len(descendants),
        "rationales": repository.rationales(session, problem_id),
        "rounds": rounds,
    }
