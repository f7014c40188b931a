"""LangChain's standard unit tests for ChatFriendli."""

from __future__ import annotations

from langchain_tests.unit_tests import ChatModelUnitTests

from langchain_friendli import ChatFriendli


class TestChatFriendliStandard(ChatModelUnitTests):
    """`test_serdes` skips: ChatFriendli is not serializable (`is_lc_serializable()` is False)
    because langchain-core's `load` only allows classes in its own allowlist."""

    @property
    def chat_model_class(self) -> type[ChatFriendli]:
        return ChatFriendli

    @property
    def chat_model_params(self) -> dict:
        return {"model": "deepseek-ai/DeepSeek-V3.2"}

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_audio_inputs(self) -> bool:
        return True

    @property
    def init_from_env_params(self) -> tuple[dict, dict, dict]:
        return (
            {
                "FRIENDLI_TOKEN": "env-token",
                "FRIENDLI_TEAM": "env-team",
                "FRIENDLI_BASE_URL": "http://127.0.0.1:9/serverless/v1",
            },
            {"model": "deepseek-ai/DeepSeek-V3.2"},
            {
                "friendli_token": "env-token",
                "friendli_team": "env-team",
                "base_url": "http://127.0.0.1:9/serverless/v1",
            },
        )
