"""Rewrite the packaged model catalog snapshot from Friendli's live serverless catalog.

Run with a token (`make refresh-catalog`, or `FRIENDLI_TOKEN=flp_... python -m
scripts.refresh_catalog`). It reads `GET {base_url}/models` (default
https://api.friendli.ai/serverless/v1) and writes `friendli_core/_data/catalog.json` with the
source URL, today's date (UTC), and that URL as every entry's provenance. Check the diff before
committing: a model that left the catalog leaves the snapshot too.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from friendli_core import FriendliClient

SNAPSHOT = Path(__file__).resolve().parents[1] / "friendli_core" / "_data" / "catalog.json"


def snapshot_document(entries: list[dict[str, Any]], url: str, today: str) -> dict[str, Any]:
    """The snapshot file's content for catalog `entries` read from `url` on `today`."""
    return {
        "source": f"GET {url}",
        "retrieved": today,
        "generator": "scripts/refresh_catalog.py (make refresh-catalog, with FRIENDLI_TOKEN)",
        "notes": [
            "Entries are the live catalog's ModelCatalogResponseItem objects, unknown fields kept."
        ],
        "provenance": {entry["id"]: f"GET {url}" for entry in entries},
        "models": entries,
    }


def main(argv: list[str] | None = None) -> int:
    """Fetch the catalog and write the snapshot; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default=None, help="serverless API prefix")
    parser.add_argument("--output", type=Path, default=SNAPSHOT)
    args = parser.parse_args(argv)
    with FriendliClient(base_url=args.base_url) as client:  # token from FRIENDLI_TOKEN
        models = client.list_models()
        url = f"{client.config.base_url}/models"
    entries = [m.model_dump(mode="json", exclude_none=True) for m in models]
    today = datetime.now(UTC).date().isoformat()
    document = snapshot_document(entries, url, today)
    args.output.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    sys.stdout.write(f"wrote {len(entries)} models from {url} to {args.output}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
