"""The `friendli-batch` command (also `python -m friendli_core.batch`): a shell over `run`."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from typing import get_args

from friendli_core.batch._breaker import STOP_AFTER
from friendli_core.batch._estimate import DryRunResult, dry_run
from friendli_core.batch._progress import BatchResult
from friendli_core.batch._runner import DEFAULT_CONCURRENCY, DEFAULT_MAX_RETRIES, run
from friendli_core.config import CONNECTION_SETTINGS, ConnectionSetting, Endpoint, check_base_url
from friendli_core.errors import InvalidRequestError, MissingTokenError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

EPILOG = f"""\
The token is read from FRIENDLI_TOKEN (never a flag, never printed); FRIENDLI_TEAM and
FRIENDLI_BASE_URL are read too when --team-id and --base-url are not given. With
--endpoint openai-compatible (any server that speaks OpenAI's API) they are
OPENAI_COMPATIBLE_API_KEY (optional) and OPENAI_COMPATIBLE_BASE_URL (or --base-url, required);
no Friendli key and no team is sent there.

INPUT lines (OpenAI batch format):
  {{"custom_id": "q1", "method": "POST", "url": "/v1/chat/completions", "body": {{...}}}}
OUTPUT lines (OpenAI batch output format, appended as requests finish):
  {{"id": ..., "custom_id": "q1", "response": {{"status_code", "request_id", "body"}} | null,
   "error": null | {{"code", "message"}}}}

Run the same command again to resume: ids that have a line in OUTPUT are skipped.
Requests that failed have an error line; add --retry-failed to send them again.
--dry-run sends only token counting (/chat/render, /tokenize), writes nothing, and prints the
requests a run would send and an upper bound of their cost (exact prompt tokens, max_tokens).
Ctrl-C stops sending and waits for the requests in flight (Ctrl-C again abandons them).
After {STOP_AFTER} requests in a row that could not reach the endpoint (connection errors after
the retries), the run stops: they get no line, so the same command sends them again once the
URL or the network is fixed.
On 429s the concurrency halves (once per round trip) and grows back by one per window of
successes.

Exit status: {EXIT_OK} every request has a reply in OUTPUT; {EXIT_FAILED} OUTPUT holds error lines
(from this run or earlier ones), or the endpoint could not be reached; {EXIT_USAGE} bad
arguments, no token, or INPUT/OUTPUT refused before anything was sent;
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


def _base_url(text: str) -> str:
    try:
        return check_base_url(text, option="--base-url")
    except InvalidRequestError as refused:
        # argparse names the option first: "argument --base-url: ends in ..."
        message = str(refused).removeprefix("--base-url ")
        raise argparse.ArgumentTypeError(message) from None


def _verify(text: str) -> bool | str:
    """`--verify`: true/false, or the path of a CA bundle file."""
    lowered = text.lower()
    if lowered in {"true", "yes", "1", "false", "no", "0"}:
        return lowered in {"true", "yes", "1"}
    return text


# How a flag parses its text, by the declared type (`ConnectionSetting.annotation`).
_PARSE: dict[str, Callable[[str], object]] = {
    "str | None": str,
    "SecretStr | None": str,
    "float | None": float,
    "NonNegativeInt": _non_negative,
    "PositiveInt": _positive,
    "bool | str": _verify,
}
_PARSE_BY_NAME: dict[str, Callable[[str], object]] = {"base_url": _base_url}
# The command's own defaults where a long batch needs another than a client's.
_DEFAULTS = {"max_retries": DEFAULT_MAX_RETRIES}


def _add_setting(p: argparse.ArgumentParser, setting: ConnectionSetting) -> None:
    flag = "--" + setting.name.replace("_", "-")
    default = _DEFAULTS.get(setting.name, setting.default)
    shown = "" if default is None or setting.secret else " (default: %(default)s)"
    help_text = setting.doc.replace("%", "%%") + shown
    if setting.annotation == "Endpoint":
        p.add_argument(flag, choices=get_args(Endpoint), default=default, help=help_text)
    else:
        parse = _PARSE_BY_NAME.get(setting.name) or _PARSE[setting.annotation]
        p.add_argument(flag, type=parse, default=default, help=help_text)


def parser(
    settings: tuple[ConnectionSetting, ...] = CONNECTION_SETTINGS,
) -> argparse.ArgumentParser:
    """The command's arguments; its connection flags are those of `settings` (the declaration)."""
    p = argparse.ArgumentParser(
        prog="friendli-batch",
        description="Run an OpenAI-format JSONL batch file against Friendli, resumably.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("input", metavar="INPUT.jsonl", help="requests, one JSON object per line")
    p.add_argument("output", metavar="OUTPUT.jsonl", help="results; created, or resumed")
    p.add_argument(
        "--concurrency",
        type=_positive,
        default=DEFAULT_CONCURRENCY,
        help="most requests in flight, lowered while 429s arrive (default: %(default)s)",
    )
    for setting in settings:
        if setting.flag:
            _add_setting(p, setting)
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="count the requests and bound their cost; only token counting is sent",
    )
    p.add_argument(
        "--retry-failed",
        action="store_true",
        help="send again every request whose line in OUTPUT is an error (whatever the error); "
        "their old lines are removed, so each request ends with one line",
    )
    return p


HOW_TO_AUTHENTICATE = (
    "no token: set the FRIENDLI_TOKEN environment variable to your Friendli personal access "
    "token (export FRIENDLI_TOKEN=flp_...). A Friendli Container needs none: "
    "--endpoint container."
)


def _masked(argv: list[str]) -> list[str]:
    """The arguments with secret flag values (the proxy URL) masked, to print."""
    secret = {"--" + s.name.replace("_", "-") for s in CONNECTION_SETTINGS if s.secret and s.flag}
    shown: list[str] = []
    for arg in argv:
        flag, eq, _ = arg.partition("=")
        if shown and shown[-1] in secret:
            shown.append("'**********'")
        elif eq and flag in secret:
            shown.append(f"{flag}=**********")
        else:
            shown.append(arg)
    return shown


def main(argv: list[str] | None = None) -> int:
    """Run the command; return its exit status."""
    arguments = parser()
    args = arguments.parse_args(argv)
    if args.dry_run and args.retry_failed:
        arguments.error("--dry-run counts what a run without --retry-failed would send")
    settings = {s.name: getattr(args, s.name) for s in CONNECTION_SETTINGS if s.flag}
    options = {"concurrency": args.concurrency, **settings}
    try:
        result: BatchResult | DryRunResult = (
            dry_run(args.input, args.output, **options)
            if args.dry_run
            else run(args.input, args.output, retry_failed=args.retry_failed, **options)
        )
    except MissingTokenError:  # its message speaks to Python callers (token=..., pickling)
        print(f"friendli-batch: {HOW_TO_AUTHENTICATE}", file=sys.stderr)
        return EXIT_USAGE
    except (InvalidRequestError, OSError) as exc:
        print(f"friendli-batch: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(result.summary(), file=sys.stderr)
    if isinstance(result, DryRunResult):
        return EXIT_OK
    given = list(sys.argv[1:] if argv is None else argv)
    if result.interrupted:
        command = shlex.join(["friendli-batch", *_masked(given)])
        print(f"To resume, run the same command again:\n  {command}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if result.errors and not result.stopped:
        retry = [*given, *([] if args.retry_failed else ["--retry-failed"])]
        print(f"  {shlex.join(['friendli-batch', *_masked(retry)])}", file=sys.stderr)
    return EXIT_FAILED if result.errors or result.stopped else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
