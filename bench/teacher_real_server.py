"""The teacher against a real LLM server: SmolLM2-135M-Instruct behind ``transformers serve``, reached by the
real ``fdd-teacher`` (``openai`` backend) over HTTP, on the first ``--problems`` GSM8K test problems.

Prints what a user pointing fdd at a real server sees: the distribution of the sandbox's verdicts over the
samples (a correct program, a wrong answer, no program, no ``ans``, an error, a time-out …), the problems with
at least one correct program, how many of a problem's ``k`` samples were distinct texts and how many distinct
correct programs (the reasoning paths a round would train on) they gave, tokens from the server's usage, and
the wall time — then the same requests again, answered from the teacher's cache, as the ratio of the two.
A 135M model is a stand-in for a teacher, not one: it is here to exercise the real-server path end to end.

    .venv/bin/fdd models fetch smollm2-135m      # once per machine
    .venv/bin/python bench/teacher_real_server.py [--problems 50] [--k 2] [--max-tokens 192] [--per-request 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fdd.datasets import load_gsm8k  # noqa: E402
from fdd.models import cached  # noqa: E402
from tests.fixtures.processes import SERVICE_AUTH, VENV_BIN, free_port, spawn, wait_http  # noqa: E402


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=50, help="first N GSM8K test problems")
    parser.add_argument("--k", type=int, default=2, help="samples per problem")
    parser.add_argument("--max-tokens", type=int, default=192)
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--per-request", type=int, default=5, help="problems per /v1/rationales request")
    parser.add_argument("--threads", type=int, default=2, help="the server's torch threads")
    parser.add_argument(
        "--continuous-batching", action="store_true", help="the server batches concurrent requests"
    )
    return parser.parse_args()


def _post_all(url: str, requests: list[dict]) -> tuple[list[dict], dict[str, int], float]:
    results: list[dict] = []
    usage: Counter[str] = Counter()
    start = time.monotonic()
    with httpx.Client(base_url=url, headers=SERVICE_AUTH, timeout=7200) as client:
        for request in requests:
            response = client.post("/v1/rationales", json=request)
            if response.status_code != 200:
                raise SystemExit(f"teacher answered HTTP {response.status_code}: {response.text[:300]}")
            body = response.json()
            results.extend(body["results"])
            usage.update({k: v for k, v in body["usage"].items() if isinstance(v, int)})
    return results, dict(usage), time.monotonic() - start


def main() -> None:
    args = _args()
    model = cached("smollm2-135m")
    if model is None:
        raise SystemExit("SmolLM2 is not fetched: run `.venv/bin/fdd models fetch smollm2-135m` first")
    problems = load_gsm8k(split="test").problems[: args.problems]
    sampling = {"max_tokens": args.max_tokens, "temperature": args.temperature, "seed": 0}
    requests = [
        {
            "problems": [
                {"id": p.id, "text": p.question, "gold": float(p.answer)}
                for p in problems[i : i + args.per_request]
            ],
            "k": args.k,
            "sampling": sampling,
            "label": "bench-real-server",
        }
        for i in range(0, len(problems), args.per_request)
    ]
    with tempfile.TemporaryDirectory(prefix="fdd-real-server-") as tmp:
        logs = Path(tmp)
        serve_port, teacher_port = free_port(), free_port()
        serve = [str(VENV_BIN / "transformers"), "serve", str(model), "--host", "127.0.0.1"]
        serve += [
            "--port",
            str(serve_port),
            "--device",
            "cpu",
            "--dtype",
            "float32",
            "--log-level",
            "warning",
        ]
        server = spawn(serve, {"OMP_NUM_THREADS": str(args.threads)}, logs / "serve.log")
        try:
            wait_http(f"http://127.0.0.1:{serve_port}/health", server, timeout=600)
            env = {
                "FDD_TEACHER_BACKEND": "openai",
                "FDD_TEACHER_OPENAI_BASE_URL": f"http://127.0.0.1:{serve_port}/v1",
                "FDD_TEACHER_OPENAI_MODEL": str(model),
                "FDD_TEACHER_OPENAI_TIMEOUT_S": "3600",
                "FDD_TEACHER_DATABASE_URL": f"sqlite:///{logs / 'teacher.db'}",
                "FDD_TEACHER_PORT": str(teacher_port),
                "FDD_TEACHER_LOG_LEVEL": "WARNING",
            }
            teacher = spawn([str(VENV_BIN / "fdd-teacher")], env, logs / "teacher.log")
            try:
                url = f"http://127.0.0.1:{teacher_port}"
                wait_http(f"{url}/healthz", teacher)
                results, usage, seconds = _post_all(url, requests)
                _, hit_usage, hit_seconds = _post_all(url, requests)
            finally:
                teacher.stop()
        finally:
            server.stop()
    _report(args, results, usage, seconds, hit_usage, hit_seconds)


def _report(
    args: argparse.Namespace,
    results: list[dict],
    usage: dict[str, int],
    seconds: float,
    hit_usage: dict[str, int],
    hit_seconds: float,
) -> None:
    samples = [s for r in results for s in r["samples"]]
    verdicts = Counter(
        "correct" if s["correct"] else "ok, wrong answer" if s["verdict"] == "ok" else s["verdict"]
        for s in samples
    )
    errors = [r["error"] for r in results if r["error"]]
    solved = sum(1 for r in results if r["correct_programs"])
    distinct_texts = Counter(len({s["raw"] for s in r["samples"]}) for r in results if r["samples"])
    paths = Counter(len(r["correct_programs"]) for r in results)
    print(
        f"# SmolLM2-135M-Instruct behind `transformers serve`, through fdd-teacher: {len(results)} GSM8K test"
    )
    print(f"problems x k = {args.k} samples, max_tokens {args.max_tokens}, temperature {args.temperature}\n")
    print("| verdict of a sample | samples | share |\n|---|---|---|")
    for verdict, count in verdicts.most_common():
        print(f"| {verdict} | {count} | {100 * count / max(len(samples), 1):.1f} % |")
    print(f"\nproblems with a correct program: {solved} / {len(results)}; request errors: {len(errors)}")
    print(f"distinct sample texts per problem (k = {args.k}): {dict(sorted(distinct_texts.items()))}")
    print(f"distinct correct programs (paths) per problem: {dict(sorted(paths.items()))}")
    print(
        f"server usage: {usage.get('calls', 0)} calls, {usage.get('prompt_tokens', 0)} prompt + "
        f"{usage.get('completion_tokens', 0)} completion tokens; "
        f"{usage.get('completion_tokens', 0) / max(seconds, 1e-9):.1f} completion tokens/s"
    )
    print(
        f"wall: {seconds:.1f} s ({seconds / max(len(results), 1):.1f} s a problem); the same requests again "
        f"from the cache: {hit_seconds:.2f} s, {hit_usage.get('calls', 0)} upstream calls "
        f"({seconds / max(hit_seconds, 1e-9):.0f}x faster)"
    )
    print(json.dumps({"verdicts": dict(verdicts), "solved": solved, "n": len(results), "seconds": seconds}))


if __name__ == "__main__":
    main()
