"""LangChain's standard integration tests for ChatFriendli, against the local server."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_friendli import ChatFriendli

MODEL = "friendli-local-model"


class TestChatFriendliStandard(ChatModelIntegrationTests):
    """Every capability Friendli's chat API has is switched on. Left off, so skipped:

    * PDF inputs and PDF/image tool messages: Friendli user parts are text, image_url,
      audio_url and video_url only, and tool-message content is a string.
    * `test_stream_time`: a VCR cassette benchmark; there is nothing to record offline.

    Image and audio inputs run offline: `offline_media` (conftest) serves generated media to
    the standard tests' downloads.
    """

    @pytest.fixture(autouse=True)
    def _local_server(self, friendli_server, offline_media) -> None:
        self.server = friendli_server

    @property
    def chat_model_class(self) -> type[ChatFriendli]:
        return ChatFriendli

    @property
    def chat_model_params(self) -> dict:
        return {
            "model": MODEL,
            "base_url": self.server.serverless_url,
            "api_key": self.server.token,
        }

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
    def supports_anthropic_inputs(self) -> bool:
        return True

    @property
    def supported_usage_metadata_details(self) -> dict:
        return {"invoke": ["cache_read_input"], "stream": ["cache_read_input"]}

    @property
    def model_override_value(self) -> str:
        return "friendli-local-reasoning"

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        """Send the same long prompt twice; the second request is the one a prefix cache hits.

        Friendli reports cache hits as `usage.prompt_tokens_details.cached_tokens`.
        """
        model = ChatFriendli(**self.chat_model_params)
        prompt = "Summarise the following notes. " + "The quick brown fox jumps. " * 200
        model.invoke(prompt)
        if not stream:
            return model.invoke(prompt)
        full: AIMessageChunk | None = None
        for chunk in model.stream(prompt):
            full = chunk if full is None else full + chunk
        assert full is not None
        return AIMessage(content=full.content, usage_metadata=full.usage_metadata)
