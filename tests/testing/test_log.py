import threading

import pytest

from friendli_core.testing._log import RecordedRequest, RequestLog, bearer_token, mask_authorization


def test_authorization_is_masked_and_hashed() -> None:
    token = "flp_local_test_token"
    rec = RecordedRequest.build(
        "POST", "/x", {"Authorization": f"Bearer {token}", "X-Friendli-Team": "t1"}, {"a": 1}
    )
    assert rec.headers["authorization"] == "Bearer flp_…oken"
    assert token not in repr(rec)
    assert rec.token_matches(token)
    assert not rec.token_matches("other")
    assert rec.team == "t1"
    assert rec.body == {"a": 1}


def test_mask_short_and_odd_values() -> None:
    assert mask_authorization("Bearer abc") == "Bearer ***"
    assert mask_authorization("Basic dXNlcg==") == "***"
    assert bearer_token("bearer  tok ") == "tok"
    assert bearer_token("Bearer ") is None
    assert bearer_token(None) is None
    rec = RecordedRequest.build("GET", "/m", {}, None)
    assert rec.token_sha256 is None
    assert not rec.token_matches("")


def test_log_is_thread_safe_and_clearable() -> None:
    log = RequestLog()
    with pytest.raises(LookupError):
        _ = log.last

    def add(i: int) -> None:
        for j in range(100):
            log.append(RecordedRequest.build("POST", f"/{i}/{j}", {}, None))

    threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(log) == 800
    assert len(list(log)) == 800
    assert log[-1] is log.last
    log.clear()
    assert len(log) == 0
