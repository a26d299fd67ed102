"""The OpenAI-compatible API: `GET /v1/models` and `POST /v1/chat/completions` (streaming SSE and not), so any chat
client or agent that speaks to an OpenAI model can ask the gazettes, and keep the clause citations.

- One model per corpus scope: `gazette-qa` (every city) and `gazette-qa-<city pinyin>` (晋城 → gazette-qa-jincheng),
  derived from the index's cities; the Chinese name (gazette-qa-晋城) is accepted too.
- The whole `messages` history counts: earlier user turns are the follow-up context, as in the web chat. `system`
  and `assistant` messages are not used for answering (answers are grounded by design; the refusal rules stay).
- `choices[0].message.content` is Markdown any client can show: the answer with its [S1] keys, then a source list
  (《标题》文号 条款, validity, the quoted sentence). The same citations, machine-readable, ride in the response's
  extra field `gazette` (app.wire.answer_payload), on the final chunk of a stream too; the official `openai` client
  exposes it as `completion.model_extra["gazette"]`.
- Filters in the extra body field `filters` ({city, year_from, year_to, doc_number, doc_type, valid_on}).
- Errors in OpenAI's shape {"error": {"message", "type", "param", "code"}} with the HTTP status: 400 bad JSON or
  request, 401 no/invalid key (staff mode), 404 unknown model, 413-style over-long question as 400
  `question_too_long`, 429 rate limited (Retry-After), 503 busy (Retry-After).
- Staff mode: a bearer key from the key file (app.keys) on every request; the answer's trace summary is included.
  Public mode: no key, the public limits (length, per-client rate, concurrency), no trace.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import anyio
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import iterate_in_threadpool

from app.chat import Answerer
from app.documents import DocumentLibrary
from app.keys import KeyFile, KeyFileError
from app.limits import ConcurrencyGate, Limits, RateLimiter
from app.wire import WireError, answer_body, answer_markdown, answer_payload, body_markdown, filters_from_json, sources_markdown
from rag.places import ROMANISED
from rag.records import REFUSAL, Answer, Filters

log = logging.getLogger(__name__)

BASE_MODEL = "gazette-qa"
OWNER = "gazette-qa"
MAX_HISTORY = 10  # earlier user turns passed to the follow-up rewriting (the newest ones)


@dataclass(frozen=True)
class ApiModel:
    """A model id clients choose, and the city it answers for (None: every city)."""

    id: str
    city: str | None = None
    alias: str = ""


def models_for(cities: Sequence[str]) -> list[ApiModel]:
    out = [ApiModel(BASE_MODEL)]
    for city in sorted(cities, key=lambda c: ROMANISED.get(c, c)):
        out.append(ApiModel(f"{BASE_MODEL}-{ROMANISED.get(city, city)}", city, alias=f"{BASE_MODEL}-{city}"))
    return out


class ApiError(Exception):
    """An error returned in OpenAI's shape."""

    def __init__(self, status: int, message: str, type_: str, code: str, param: str | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param, self.retry_after = status, message, type_, code, param, retry_after

    def response(self) -> JSONResponse:
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after else None
        body = {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}
        return JSONResponse(body, status_code=self.status, headers=headers)


def _bad(message: str, param: str | None = None, code: str = "invalid_request") -> ApiError:
    return ApiError(400, message, "invalid_request_error", code, param)


@dataclass(frozen=True)
class ChatRequest:
    model: ApiModel
    question: str
    history: tuple[str, ...]
    filters: Filters
    stream: bool


def _text_of(content: Any, at: int) -> str:
    """A message's text: a string, or the text parts of a list of content parts (images and files are not read)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("type") == "text")
    raise _bad("content must be a string or a list of content parts", f"messages[{at}].content")


def parse_chat(body: Any, models: Sequence[ApiModel], cities: Sequence[str], max_chars: int) -> ChatRequest:
    """The request, or ApiError naming the field (OpenAI's `param`)."""
    if not isinstance(body, dict):
        raise _bad("the request body must be a JSON object")
    name = body.get("model")
    if not isinstance(name, str) or not name:
        raise _bad("model is required; GET /v1/models lists them", "model")
    model = next((m for m in models if name in (m.id, m.alias)), None)
    if model is None:
        raise ApiError(404, f"the model {name!r} does not exist; available: {', '.join(m.id for m in models)}",
                       "invalid_request_error", "model_not_found", "model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _bad("messages is required: a non-empty list of {role, content}", "messages")
    users: list[str] = []
    for at, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise _bad("each message must be an object with a role and content", f"messages[{at}]")
        if message["role"] == "user":
            users.append(_text_of(message.get("content"), at).strip())
    if messages[-1].get("role") != "user" or not users[-1]:
        raise _bad("the last message must be the user's question (non-empty text)", f"messages[{len(messages) - 1}]")
    question = users[-1]
    if len(question) > max_chars:
        raise _bad(f"the question is {len(question)} characters; the limit is {max_chars}: split it into several questions",
                   f"messages[{len(messages) - 1}].content", "question_too_long")
    try:
        filters = filters_from_json(body.get("filters"), cities)
    except WireError as err:
        raise _bad(err.message, err.field) from None
    if model.city:
        if filters.city and filters.city != model.city:
            raise _bad(f"the model {model.id} answers for {model.city} only; filters.city is {filters.city}", "filters.city")
        filters = replace(filters, city=model.city)
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise _bad("stream must be true or false", "stream")
    history = tuple(u for u in users[:-1] if u)[-MAX_HISTORY:]
    return ChatRequest(model, question, history, filters, stream)


class ChatApi:
    """The routes over one answerer. `gate` and `rate` may be shared with the web chat, so the page and the API
    together stay within the server's concurrency."""

    def __init__(self, answerer: Answerer, library: DocumentLibrary, *, public: bool, keys: KeyFile | None,
                 limits: Limits | None = None, gate: ConcurrencyGate | None = None, rate: RateLimiter | None = None) -> None:
        self.answerer = answerer
        self.library = library
        self.public = public
        self.keys = keys
        self.limits = limits or Limits.for_mode(public)
        self.gate = gate or ConcurrencyGate(self.limits.max_active, self.limits.max_waiting, self.limits.wait_s)
        self.rate = rate if rate is not None else (RateLimiter(self.limits.per_minute) if self.limits.per_minute else None)

    # -- facts of the corpus --------------------------------------------------------------------------------
    def models(self) -> list[ApiModel]:
        return models_for(self.library.cities())

    # -- checks ---------------------------------------------------------------------------------------------
    def caller(self, request: Request) -> str:
        """Who is asking (for the rate limit): the key's name in staff mode, else the client address.
        Raises 401 in staff mode without a valid key. The key is never logged."""
        if self.public:
            return f"ip:{request.client.host if request.client else 'unknown'}"
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise ApiError(401, "an API key is required: send `Authorization: Bearer <key>` (staff get one from "
                                "`python -m app keys add NAME`)", "authentication_error", "missing_api_key")
        try:
            name = self.keys.name_of(key.strip()) if self.keys else None
        except KeyFileError as err:
            log.error("the API key file cannot be read: %s", err)
            raise ApiError(500, "the server's API key file is damaged; tell the administrator", "server_error",
                           "key_file_error") from None
        if name is None:
            raise ApiError(401, "the API key is not valid", "authentication_error", "invalid_api_key")
        return f"key:{name}"

    def admit(self, caller: str) -> None:
        wait = self.rate.admit(caller) if self.rate else None
        if wait is not None:
            raise ApiError(429, f"too many questions: at most {self.limits.per_minute} a minute; retry in {wait} s",
                           "rate_limit_error", "rate_limit_exceeded", retry_after=wait)

    # -- answers --------------------------------------------------------------------------------------------
    def payload(self, answer: Answer) -> dict[str, Any]:
        out = answer_payload(answer, self.library)
        if self.public:
            out.pop("rewritten_question", None)
        else:
            out["trace"] = {"rewritten": answer.trace.rewritten, "rewritten_by": answer.trace.rewritten_by,
                            "filters": answer.trace.filters, "rules_fired": answer.trace.rules_fired,
                            "notes": answer.trace.notes, "timings_ms": {k: round(v, 1) for k, v in answer.timings.items()}}
        return out

    def answer(self, req: ChatRequest) -> Answer:
        """The final Answer of the pipeline's stream (the pieces before it are for streaming clients)."""
        final = [part for part in self.answerer.stream(req.question, req.history, req.filters) if isinstance(part, Answer)]
        if not final:
            raise RuntimeError("the pipeline's stream ended without an Answer")
        return final[-1]

    def completion(self, req: ChatRequest, answer: Answer, cid: str, created: int) -> dict[str, Any]:
        payload = self.payload(answer)
        return {
            "id": cid, "object": "chat.completion", "created": created, "model": req.model.id,
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": answer_markdown(answer, payload["citations"]), "refusal": None}}],
            "gazette": payload,
        }

    def chunks(self, req: ChatRequest, cid: str, created: int) -> Iterator[dict[str, Any]]:
        """The stream's chunks: the role, each piece as the pipeline makes it, then the source list with the
        payload. A refusal is sent whole at the end (its text gains the reason and the leads)."""
        def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
            return {"id": cid, "object": "chat.completion.chunk", "created": created, "model": req.model.id,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}

        yield chunk({"role": "assistant", "content": ""})
        raw = streamed = ""  # the text as the pipeline streamed it; what was sent of it (up to its plain source list)
        for part in self.answerer.stream(req.question, req.history, req.filters):
            if isinstance(part, Answer):
                payload = self.payload(part)
                final = answer_markdown(part, payload["citations"])
                sent = body_markdown(streamed)
                # the rest of the final Markdown; when the final text is not the streamed one continued (a model's
                # reply cleaned after parsing), the streamed text stands and only the source list follows
                tail = final[len(sent):] if final.startswith(sent) else sources_markdown(payload["citations"])
                yield chunk({"content": tail}, "stop", gazette=payload)
                return
            raw += part
            if raw.startswith(REFUSAL):
                continue  # a refusal is sent whole with its Answer, which says why and names the leads
            body = answer_body(raw)
            if len(body) > len(streamed) and body.startswith(streamed):
                yield chunk({"content": body_markdown(body[len(streamed):])})
                streamed = body
        raise RuntimeError("the pipeline's stream ended without an Answer")


def _sse(obj: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n".encode()


def build_router(api: ChatApi) -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.get("/models")
    async def list_models(request: Request) -> Response:
        try:
            api.caller(request)
        except ApiError as err:
            return err.response()
        data = [{"id": m.id, "object": "model", "created": 0, "owned_by": OWNER} for m in api.models()]
        return JSONResponse({"object": "list", "data": data})

    @router.post("/chat/completions")
    async def chat_completions(request: Request) -> Response:
        try:
            caller = api.caller(request)
            try:
                body = json.loads(await request.body())
            except (ValueError, UnicodeDecodeError):
                raise _bad("the request body is not valid JSON", code="invalid_json") from None
            req = parse_chat(body, api.models(), api.library.cities(), api.limits.max_question_chars)
            api.admit(caller)
        except ApiError as err:
            return err.response()
        if not await anyio.to_thread.run_sync(api.gate.acquire):
            return ApiError(503, "the server is busy; retry shortly", "server_error", "busy", retry_after=5).response()
        cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if not req.stream:
            try:
                answer = await anyio.to_thread.run_sync(api.answer, req)
            except Exception:
                log.exception("answering failed (API)")
                return ApiError(500, "the answer could not be computed; retry later", "server_error", "internal_error").response()
            finally:
                api.gate.release()
            return JSONResponse(api.completion(req, answer, cid, created))
        return _HoldingStream(api.gate, _stream(api, req, cid, created), media_type="text/event-stream",
                              headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return router


class _HoldingStream(StreamingResponse):
    """A streaming response that releases the gate's slot (taken before it was made) once it is over: sent, failed,
    or dropped by the client, even before its first byte."""

    def __init__(self, gate: ConcurrencyGate, content: AsyncIterator[bytes], **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self.gate = gate

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.gate.release()


async def _stream(api: ChatApi, req: ChatRequest, cid: str, created: int) -> AsyncIterator[bytes]:
    """SSE events, then [DONE]; a failure midway is sent as an OpenAI error event (the client raises it)."""
    try:
        async for chunk in iterate_in_threadpool(api.chunks(req, cid, created)):
            yield _sse(chunk)
        yield b"data: [DONE]\n\n"
    except Exception:
        log.exception("answering failed (API stream)")
        yield _sse({"error": {"message": "the answer could not be computed; retry later", "type": "server_error",
                              "param": None, "code": "internal_error"}})


def build_api(api: ChatApi) -> FastAPI:
    """The API alone (`python -m app --api-only`), with OpenAI-shaped errors for unknown routes and bad methods."""
    app = FastAPI(title="gazette-qa API", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(build_router(api))
    return app
