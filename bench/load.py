"""`python -m bench.load [--users 1,5,20] [--duration 60] [--via page|api] [--out bench/out]`: concurrent chat users
against the app.

Starts the app itself (`python -m app`, staff mode, offline answers, the existing index) on 127.0.0.1 and a free
port, waits until it answers, then for each N runs N simulated users for `--duration` seconds: each asks a dev
gold question, waits for the whole streamed answer, and asks the next (a new chat every `--turns-per-chat`
questions). `--via page` (default) asks through the page's own HTTP API (gradio_client, the `/ask` event the send
button uses); `--via api` through the OpenAI-compatible API (`POST /v1/chat/completions`, streaming, with the
chat's earlier questions as the messages history; a temporary staff key). Loopback only, bounded in time
(duration + one request timeout) and in count (`--max-requests` per N). The app is stopped on every exit path.
Writes load.json and load.md (load-api.* with --via api) to --out, the app's log beside them.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import argparse
import html
import math
import random
import re
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.keys import KeyFile
from bench import machine
from bench.report import fmt, markdown_table, write
from bench.served import ROOT, ServedApp, serve
from bench.timing import summarize_ms

NO_FILTERS = ("全部", "不限", "不限", "全部")  # city, year from, year to, document type: the page's defaults
OK_KINDS = ("answer", "refusal")  # a refusal ("未找到答案") is a correct answer to some gold questions, not an error
DEFAULT_GOLD = (ROOT / "evals" / "gold" / "dev_a.jsonl", ROOT / "evals" / "gold" / "dev_b.jsonl")
_NOTICE = re.compile(r'role="alert">(.*?)</div>', re.S)


@dataclass(frozen=True)
class Outcome:
    """One question of one user. at_s: when it was asked (seconds from the start of the run); kind: answer, refusal,
    notice (busy, rate-limited, error message in the chat), exception (the HTTP/API call failed), timeout, empty."""

    user: int
    at_s: float
    latency_ms: float
    kind: str
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.kind in OK_KINDS


def classify(transcript: Any) -> tuple[str, str]:
    """(kind, message) of the last turn of the transcript HTML the chat returned."""
    if not isinstance(transcript, str) or '<div class="turn"' not in transcript:
        return "empty", f"no turn in the reply: {str(transcript)[:120]}"
    last = transcript.rsplit('<div class="turn"', 1)[1]
    notice = _NOTICE.search(last)
    if 'class="a notice' in last:
        return "notice", html.unescape(notice.group(1)) if notice else "notice"
    if 'data-refused="1"' in last:
        return "refusal", ""
    if 'data-refused="0"' in last and 'class="a answer pending"' not in last:
        return "answer", ""
    return "empty", "the reply ended without a final answer"


def summarize(outcomes: Sequence[Outcome], users: int, duration_s: float, elapsed_s: float) -> dict[str, Any]:
    """Requests, throughput (answers per second of the run), latency of the answered ones, errors with the first
    distinct messages."""
    answered = [o for o in outcomes if o.ok]
    errors = [o for o in outcomes if not o.ok]
    return {
        "users": users, "duration_s": duration_s, "elapsed_s": round(elapsed_s, 2), "requests": len(outcomes),
        "answered": len(answered), "refusals": sum(1 for o in answered if o.kind == "refusal"),
        "throughput_per_s": round(len(answered) / elapsed_s, 2) if elapsed_s > 0 else None,
        "latency_ms": summarize_ms([o.latency_ms for o in answered]),
        "errors": len(errors), "errors_by_kind": dict(Counter(o.kind for o in errors)),
        "first_errors": list(dict.fromkeys(f"{o.kind}: {o.message}"[:300] for o in errors))[:5],
    }


class PageUser:
    """One browser-like session on the page's /ask event (gradio_client)."""

    def __init__(self, url: str, timeout_s: float) -> None:
        from gradio_client import Client

        self.client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
        self.timeout_s = timeout_s

    def new_chat(self) -> None:
        self.client.predict(api_name="/new_chat")

    def ask(self, question: str) -> tuple[str, str]:
        result = self.client.submit(question, *NO_FILTERS, api_name="/ask").result(timeout=self.timeout_s)
        return classify(result[0] if isinstance(result, (tuple, list)) else result)

    def close(self) -> None:
        self.client.close()


class ApiUser:
    """One chat through the OpenAI-compatible API with the official client: streamed answers, the chat's earlier
    questions sent as the messages history. A 429/503 counts as a notice (the API's busy/rate-limit answer)."""

    def __init__(self, url: str, key: str, timeout_s: float) -> None:
        from openai import OpenAI

        self.client = OpenAI(base_url=url.rstrip("/") + "/v1", api_key=key, max_retries=0, timeout=timeout_s)
        self.history: list[dict[str, str]] = []

    def new_chat(self) -> None:
        self.history = []

    def ask(self, question: str) -> tuple[str, str]:
        import openai

        messages = [*self.history, {"role": "user", "content": question}]
        try:
            chunks = list(self.client.chat.completions.create(model="gazette-qa", messages=messages, stream=True))  # type: ignore[arg-type]
        except openai.APITimeoutError:
            raise TimeoutError from None
        except openai.APIStatusError as err:
            return ("notice", f"HTTP {err.status_code}: {err.message}"[:300]) if err.status_code in (429, 503) else ("exception", repr(err)[:300])
        payload = (chunks[-1].model_extra or {}).get("gazette") if chunks else None
        if not payload:
            return "empty", "the stream ended without the answer's citations"
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        self.history += [{"role": "user", "content": question}, {"role": "assistant", "content": text}]
        return ("refusal", "") if payload["refused"] else ("answer", "")

    def close(self) -> None:
        self.client.close()


def _user(number: int, client: Any, questions: Sequence[str], start: float, deadline: float, max_requests: int,
          turns_per_chat: int, timeout_s: float, out: list[Outcome], lock: threading.Lock) -> None:
    rng = random.Random(number)
    asked = 0
    while time.perf_counter() < deadline and asked < max_requests:
        if asked and asked % turns_per_chat == 0:
            try:
                client.new_chat()
            except Exception as err:  # counted below as the next question's failure if the session is broken
                with lock:
                    out.append(Outcome(number, time.perf_counter() - start, 0.0, "exception", f"new_chat: {err!r}"[:300]))
        question = rng.choice(questions)
        asked_at = time.perf_counter()
        try:
            kind, message = client.ask(question)
        except TimeoutError:
            kind, message = "timeout", f"no answer within {timeout_s:.0f} s"
        except Exception as err:
            kind, message = "exception", repr(err)[:300]
        took = (time.perf_counter() - asked_at) * 1000
        with lock:
            out.append(Outcome(number, round(asked_at - start, 3), round(took, 1), kind, message))
        asked += 1


def run_level(clients: Sequence[Any], duration_s: float, questions: Sequence[str], *, max_requests: int = 5000,
              turns_per_chat: int = 5, timeout_s: float = 60.0) -> tuple[list[Outcome], float]:
    """One user per client for `duration_s`; returns (outcomes, seconds until the last user finished)."""
    out: list[Outcome] = []
    lock = threading.Lock()
    start = time.perf_counter()
    per_user = max(1, math.ceil(max_requests / len(clients)))
    threads = [threading.Thread(target=_user, name=f"user-{n}", daemon=True,
                                args=(n, c, questions, start, start + duration_s, per_user, turns_per_chat, timeout_s, out, lock))
               for n, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(1.0, start + duration_s + timeout_s + 30 - time.perf_counter()))
    return out, time.perf_counter() - start


def _app_errors(log: Path) -> int:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return sum(1 for line in text.splitlines() if " ERROR " in line or line.startswith("Traceback"))


def make_user(url: str, args: argparse.Namespace) -> PageUser | ApiUser:
    return ApiUser(url, args.api_key, args.timeout) if args.via == "api" else PageUser(url, args.timeout)


def measure_level(app: ServedApp, users: int, args: argparse.Namespace, questions: Sequence[str]) -> dict[str, Any]:
    started = time.perf_counter()
    clients = [make_user(app.url, args) for _ in range(users)]  # each its own session, like N browsers
    setup_s = time.perf_counter() - started
    load_before, log_errors_before = machine.load_average(), _app_errors(app.log)
    app_cpu_before, own_cpu_before = machine.cpu_seconds(app.pid), machine.cpu_seconds()
    try:
        outcomes, elapsed = run_level(clients, args.duration, questions, max_requests=args.max_requests,
                                      turns_per_chat=args.turns_per_chat, timeout_s=args.timeout)
    finally:
        for c in clients:
            c.close()
    summary = summarize(outcomes, users, args.duration, elapsed)

    def spent(now: float | None, then: float | None) -> float | None:
        return round(now - then, 2) if now is not None and then is not None else None

    app_cpu = spent(machine.cpu_seconds(app.pid), app_cpu_before)
    summary.update(
        client_setup_s=round(setup_s, 2), load_average=[load_before, machine.load_average()],
        load_generator_cpu_s=spent(machine.cpu_seconds(), own_cpu_before),
        app={"cpu_s": app_cpu, "cpu_ms_per_answer": round(app_cpu * 1000 / summary["answered"], 1) if app_cpu and summary["answered"] else None,
             "rss_mib": machine.rss_mib(app.pid), "peak_rss_mib": machine.peak_rss_mib(app.pid),
             "log_errors": _app_errors(app.log) - log_errors_before},
        outcomes=[asdict(o) for o in outcomes],
    )
    return summary


def markdown(data: dict[str, Any]) -> str:
    rows = []
    for r in data["levels"]:
        lat = r["latency_ms"]
        rows.append([r["users"], r["run"], r["requests"], r["answered"], r["refusals"], r["throughput_per_s"],
                     lat["p50"], lat["p95"], lat["max"], r["errors"], "; ".join(r["first_errors"]) or "—",
                     r["app"]["cpu_ms_per_answer"], r["load_generator_cpu_s"], r["app"]["rss_mib"],
                     f"{r['load_average'][0][0]} → {r['load_average'][1][0]}"])
    warm = data.get("warmup_ms") or []
    return (f"# Load benchmark ({data['started']})\n\n"
            f"Machine: {data['machine']['cpus']} cores, load average at start {data['machine']['load_average']}; "
            f"code {data['machine']['code']}. App: `python -m app` {'public' if data['settings'].get('public') else 'staff'} mode, offline answers, "
            f"asked through {'the OpenAI-compatible API (streamed)' if data['settings'].get('via') == 'api' else 'the page'}; "
            f"{data['app'].get('ready_s')} s from launch to first page; "
            f"warm-up answers (ms, first is cold): {', '.join(fmt(w, 0) for w in warm) or '—'}. "
            f"Each user waits for its answer before asking the next; {data['settings']['duration_s']:.0f} s per level, "
            f"a new chat every {data['settings']['turns_per_chat']} questions.\n\n"
            + markdown_table(["users", "run", "requests", "answered", "refusals", "answers/s", "p50 ms", "p95 ms", "max ms",
                              "errors", "first errors", "app CPU ms/answer", "load generator CPU s", "app RSS MiB", "load avg"], rows))


def _on_signal(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds through `serve`, which stops the app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--users", default="1,5,20", help="concurrent users per level, comma-separated")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per level")
    parser.add_argument("--repeat-largest", type=int, default=1, help="runs of the largest level")
    parser.add_argument("--turns-per-chat", type=int, default=5, help="questions per chat before a user starts a new one")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one question may take before it counts as an error")
    parser.add_argument("--max-requests", type=int, default=5000, help="most questions per level (all users together)")
    parser.add_argument("--gold", type=Path, action="append", help="gold JSONL (default: the dev set, dev_a + dev_b)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="folder for load.json, load.md and the app's log")
    parser.add_argument("--public", action="store_true", help="public mode (per-client rate limit: expect notices)")
    parser.add_argument("--via", choices=("page", "api"), default="page", help="ask through the page or the OpenAI-compatible API")
    args = parser.parse_args(argv)
    levels = [int(u) for u in args.users.split(",") if u.strip()]
    if not levels or min(levels) < 1 or args.duration <= 0 or args.turns_per_chat < 1:
        parser.error("--users must list positive counts; --duration and --turns-per-chat must be positive")
    from evals.gold import load_gold

    questions = list(dict.fromkeys(i.question for i in load_gold(args.gold or list(DEFAULT_GOLD))))
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    data: dict[str, Any] = {"started": time.strftime("%Y-%m-%d %H:%M"), "machine": machine.describe(ROOT), "app": {}, "levels": [],
                            "settings": {"duration_s": args.duration, "turns_per_chat": args.turns_per_chat,
                                         "timeout_s": args.timeout, "public": args.public, "questions": len(questions),
                                         "via": args.via}}
    plan = [*levels, *[max(levels)] * (args.repeat_largest - 1)]
    name = "load-api" if args.via == "api" else "load"
    keys = args.out / "bench-api-keys.tsv"  # a temporary staff key for this run only
    keys.unlink(missing_ok=True)
    args.api_key = KeyFile(keys).add("bench")
    os.environ["RAG_API_KEYS_FILE"] = str(keys)
    with serve(args.out / f"{name}-app.log", ["--public"] if args.public else []) as app:
        data["app"] = {"ready_s": app.started_s, "rss_mib_idle": machine.rss_mib(app.pid)}
        print(f"app ready at {app.url} after {app.started_s} s", file=sys.stderr, flush=True)
        warm = make_user(app.url, args)
        data["warmup_ms"] = []
        for question in questions[:3]:
            started = time.perf_counter()
            warm.ask(question)
            data["warmup_ms"].append(round((time.perf_counter() - started) * 1000, 1))
        warm.close()
        for users in plan:
            print(f"{users} users for {args.duration:.0f} s …", file=sys.stderr, flush=True)
            level = measure_level(app, users, args, questions)
            level["run"] = sum(1 for lv in data["levels"] if lv["users"] == users) + 1
            data["levels"].append(level)
            write(args.out, name, data, markdown(data))  # after every level: an interruption keeps these
    keys.unlink(missing_ok=True)
    paths = write(args.out, name, data, markdown(data))
    print(markdown(data))
    print(f"written: {paths[0]} and {paths[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
