"""Each adapter names every `Connection` field (the core's lifecycle reads them by name)."""

from __future__ import annotations

from friendli_core._lifecycle import Connection


def test_each_adapter_names_every_connection_field() -> None:
    from langchain_friendli._connection import FriendliConnection
    from llama_index_friendli._connection import FriendliConnectionFields

    for cls in (FriendliConnection, FriendliConnectionFields):
        names = cls._CONNECTION_FIELDS
        assert len(names) == len(Connection._fields), cls
        assert set(names) <= set(cls.model_fields), cls
        assert "token" in names[0] or names[0] == "api_key", cls
