"""The `friendli-batch` command (also `python -m friendli_core.batch`): a shell over `run`."""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import get_args

from friendli_core.batch._estimate import DryRunResult, dry_run
from friendli_core.batch._runner import DEFAULT_CONCURRENCY, DEFAULT_MAX_RETRIES, run
from friendli_core.config import DEFAULT_TIMEOUT, Endpoint
from friendli_core.errors import InvalidRequestError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

EPILOG = f"""\
The token is read from FRIENDLI_TOKEN (never a flag, never printed); FRIENDLI_TEAM and
FRIENDLI_BASE_URL are read too when --team-id and --base-url are not given.

INPUT lines (OpenAI batch format):
  {{"custom_id": "q1", "method": "POST", "url": "/v1/chat/completions", "body": {{...}}}}
OUTPUT lines (OpenAI batch output format, appended as requests finish):
  {{"id": ..., "custom_id": "q1", "response": {{"status_code", "request_id", "body"}} | null,
   "error": null | {{"code", "message"}}}}

Run the same command again to resume: ids that have a line in OUTPUT are skipped.
--dry-run sends only token counting (/chat/render, /tokenize), writes nothing, and prints the
requests a run would send and an upper bound of their cost (exact prompt tokens, max_tokens).
Ctrl-C stops sending and waits for the requests in flight (Ctrl-C again abandons them).
On 429s the concurrency halves (once per round trip) and grows back by one per window of
successes.

Exit status: {EXIT_OK} every request of this run succeeded; {EXIT_FAILED} some were recorded as
errors; {EXIT_USAGE} bad arguments, or INPUT/OUTPUT refused before anything was sent;
{EXIT_INTERRUPTED} interrupted (resume by running the same command).
"""


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        msg = f"must be >= 1; got {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        msg = f"must be >= 0; got {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    p = argparse.ArgumentParser(
        prog="friendli-batch",
        description="Run an OpenAI-format JSONL batch file against Friendli, resumably.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("input", metavar="INPUT.jsonl", help="requests, one JSON object per line")
    p.add_argument("output", metavar="OUTPUT.jsonl", help="results; created, or resumed")
    p.add_argument(
        "--endpoint",
        choices=get_args(Endpoint),
        default="serverless",
        help="which Friendli product serves the model (default: %(default)s)",
    )
    p.add_argument("--base-url", help="URL prefix of the API (default: the endpoint's)")
    p.add_argument("--team-id", help="team to run the requests as (X-Friendli-Team)")
    p.add_argument(
        "--concurrency",
        type=_positive,
        default=DEFAULT_CONCURRENCY,
        help="most requests in flight, lowered while 429s arrive (default: %(default)s)",
    )
    p.add_argument(
        "--max-retries",
        type=_non_negative,
        default=DEFAULT_MAX_RETRIES,
        help="retries per request for connection errors, 408/409/429/5xx (default: %(default)s)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="count the requests and bound their cost; only token counting is sent",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help="seconds per request attempt (default: %(default)s)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command; return its exit status."""
    args = parser().parse_args(argv)
    command = dry_run if args.dry_run else run
    try:
        result = command(
            args.input,
            args.output,
            concurrency=args.concurrency,
            endpoint=args.endpoint,
            base_url=args.base_url,
            team_id=args.team_id,
            max_retries=args.max_retries,
            timeout=args.timeout,
        )
    except (InvalidRequestError, OSError) as exc:
        print(f"friendli-batch: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(result.summary(), file=sys.stderr)
    if isinstance(result, DryRunResult):
        return EXIT_OK
    if result.interrupted:
        command_line = shlex.join(["friendli-batch", *(sys.argv[1:] if argv is None else argv)])
        print(f"To resume, run the same command again:\n  {command_line}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_FAILED if result.failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
