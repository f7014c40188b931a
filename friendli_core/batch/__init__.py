"""friendli-batch: run an OpenAI-format batch file against Friendli, resumably.

FriendliAI has no batch API; this runs one on the client side. The `friendli-batch` command is
a thin shell over `run`::

    FRIENDLI_TOKEN=flp_... friendli-batch requests.jsonl results.jsonl --concurrency 32

* **Input**: the OpenAI batch input format, one JSON object per line:
  ``{"custom_id", "method": "POST", "url": "/v1/chat/completions" | "/v1/completions",
  "body": {...}}``. Every line and every id is checked before anything is sent: a line that is
  not a JSON object with a ``custom_id``, or a ``custom_id`` used twice, refuses the file
  (`BatchInputError`, with line numbers). A body the core's checks refuse (unknown parameter,
  out-of-range value; fields the client does not know go in ``"extra_body"``) is reported with
  its line number and ``custom_id`` and recorded as an error line; nothing is dropped.
* **Output**: the OpenAI batch output format, one line per request, appended and flushed as
  each finishes (in the order they finish): ``{"id", "custom_id", "response": {"status_code",
  "request_id", "body"} | null, "error": null | {"code", "message"}}``. ``response`` is set
  when the server answered (an error status too), ``error`` when the request failed.
* **Resumable**: run the same command again and every ``custom_id`` that already has a line in
  the output is skipped. SIGINT/SIGTERM stops sending and lets the requests in flight finish
  (a second signal abandons them); no half line is ever written. After kill -9, at most the
  requests in flight are lost: the next run drops an incomplete last line and sends them again.
  Failed requests have their line too, so they are not retried on resume: ``--retry-failed``
  (``retry_failed=True``) sends every request with an error line again, after removing those
  lines (the output is rewritten through a temporary file and ``os.replace``), so each request
  ends with one line. A run whose output holds error lines exits 1.
* **Unreachable endpoint**: after `STOP_AFTER` (10) requests in a row that failed with a
  connection error after their retries, the run stops (exit 1) and names the endpoint; those
  requests get no line, so the same command sends them again once the URL is fixed.
* **Files**: INPUT and OUTPUT are checked before anything is sent: a missing or unreadable
  INPUT, an unwritable OUTPUT, and an OUTPUT that is INPUT (also through a symlink) are refused,
  naming the file; an input that is a JSON array or document is told that the format is JSONL.
* **Concurrency**: at most ``concurrency`` (default 16) requests in flight. Each request gets
  the core's retries (connection errors, 408, 409, 429, 5xx; Retry-After honoured;
  ``max_retries`` default 5); other 4xx are recorded once, never retried. On 429s the window
  shrinks and grows back (AIMD): each 429 halves it, at most once per round trip (a 429 for a
  request sent before the last halving does not halve again), never below 1; each success
  adds ``1/window`` (a window of successes adds one slot), up to ``concurrency``. Requests in
  flight keep their slot, so fewer are in flight as they finish.
* **Progress** on stderr: a tqdm bar (the ``batch`` extra) on a terminal, else a plain line
  every 10 s; a summary at the end (counts, tokens from ``usage``, wall time).
* **Cost**: the summary's ``Estimated cost: $...`` line prices each reply's ``usage`` (cached
  prompt tokens included) at the model's catalog prices (`friendli_core.pricing`), in total and
  per model; ``BatchResult.usage`` holds the same figures. ``--dry-run`` (`dry_run`) sends only
  token counting (``/chat/render``, ``/tokenize``) and prints the request count and an upper
  bound of the cost from the exact prompt tokens and ``max_tokens``.
* **Memory** stays flat in the number of lines: the input is streamed twice (check, then run)
  and only the ids are kept.

The token comes from ``FRIENDLI_TOKEN`` (or ``token=`` in Python); it is never printed.
"""

from friendli_core.batch._breaker import STOP_AFTER
from friendli_core.batch._estimate import DryRunResult, adry_run, dry_run
from friendli_core.batch._format import URLS, BatchInputError
from friendli_core.batch._limit import AIMDWindow
from friendli_core.batch._progress import BatchResult
from friendli_core.batch._runner import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    BatchRunner,
    arun,
    run,
)

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_MAX_RETRIES",
    "STOP_AFTER",
    "URLS",
    "AIMDWindow",
    "BatchInputError",
    "BatchResult",
    "BatchRunner",
    "DryRunResult",
    "adry_run",
    "arun",
    "dry_run",
    "run",
]
