"""A real local HTTP server speaking the OpenAI chat-completions protocol, with scripted replies.

Each request takes the next step of the script: {"reply": text} answers (streamed as SSE when the request asks
for it, in a few pieces), {"sleep": seconds, "reply": text} answers late (for timeouts), {"status": 500} fails.
Requests are recorded so tests can check the prompt. Loopback only; the server stops with the context manager.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class OpenAIStub:
    def __init__(self, script: list[dict[str, Any]]) -> None:
        self.script: deque[dict[str, Any]] = deque(script)
        self.requests: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                stub.requests.append({"path": self.path, "body": body})
                if not self.path.endswith("/chat/completions"):
                    self.send_error(404)
                    return
                step = stub.script.popleft() if stub.script else {"reply": "（脚本已用完）"}
                if "sleep" in step:
                    time.sleep(step["sleep"])
                if "status" in step:
                    self.send_response(step["status"])
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(json.dumps({"error": {"message": "scripted failure"}}).encode())
                    return
                text = step["reply"]
                try:
                    if body.get("stream"):
                        self._stream(body, text)
                    else:
                        self._whole(body, text)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

            def _whole(self, body: dict[str, Any], text: str) -> None:
                payload = {
                    "id": "stub-1", "object": "chat.completion", "created": int(time.time()), "model": body.get("model", "stub"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict[str, Any], text: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = [text[i:i + 7] for i in range(0, len(text), 7)] or [""]
                for n, piece in enumerate(pieces):
                    delta = {"content": piece} if n else {"role": "assistant", "content": piece}
                    chunk = {"id": "stub-1", "object": "chat.completion.chunk", "created": int(time.time()),
                             "model": body.get("model", "stub"), "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                    self.wfile.flush()
                end = {"id": "stub-1", "object": "chat.completion.chunk", "created": int(time.time()),
                       "model": body.get("model", "stub"), "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> OpenAIStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
