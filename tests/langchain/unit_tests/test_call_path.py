"""One `ChatFriendli.invoke` crosses few of this repository's files (counted, not timed).

The call path is traced with `sys.setprofile` on the calling thread, with the client already
built, against the local server (it answers from another thread, which is not traced). Every
Python function entered whose file is in this repository (this test's own caller aside) counts
its file once.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import FrameType
from typing import Any

from friendli_core.testing import LocalServer
from langchain_friendli import ChatFriendli

ROOT = Path(__file__).resolve().parents[3]
MAX_FILES = 12


def _files_entered(call: Any) -> set[str]:
    root = str(ROOT)
    files: set[str] = set()

    def profile(frame: FrameType, event: str, _arg: object) -> None:
        if event == "call":
            name = frame.f_code.co_filename
            if name.startswith(root) and "/.venv" not in name and name != __file__:
                files.add(str(Path(name).relative_to(ROOT)))

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return files


def test_the_counter_sees_this_repositorys_files() -> None:
    assert _files_entered(lambda: ChatFriendli(model="m", api_key="t")) >= {
        "langchain_friendli/chat_models.py"
    }


def test_one_invoke_enters_at_most_12_files_of_this_repository(
    friendli_server: LocalServer,
) -> None:
    chat = ChatFriendli(
        model="deepseek-ai/DeepSeek-V3.2",
        api_key=friendli_server.token,
        base_url=friendli_server.serverless_url,
    )
    assert chat.invoke("Hi").content  # the client is built, the pool connected
    files = _files_entered(lambda: chat.invoke("Hi"))
    assert "friendli_core/_client.py" in files
    assert len(files) <= MAX_FILES, sorted(files)
