"""core.db.batch_get: BatchGetItem in requests of 100 keys, projected, retrying UnprocessedKeys (moto never returns any)."""
from __future__ import annotations

import pytest

from chalicelib.core import db


@pytest.fixture
def items(aws):
    """150 items with a field to read and one to leave out."""
    with db.main_table().batch_writer() as batch:
        for i in range(150):
            batch.put_item(Item={"pk": "T#bench", "sk": f"ITEM#{i:03d}", "n": i, "big": "x" * 100})
    return [("T#bench", f"ITEM#{i:03d}") for i in range(150)]


def _calls(monkeypatch, answer=None) -> list[int]:
    """Record how many keys each BatchGetItem asked for; `answer` may rewrite the response."""
    real = db.main_table().meta.client.batch_get_item
    seen: list[int] = []

    def batch_get_item(RequestItems):
        seen.append(sum(len(r["Keys"]) for r in RequestItems.values()))
        response = real(RequestItems=RequestItems)
        return answer(RequestItems, response) if answer else response

    monkeypatch.setattr(db.main_table().meta.client, "batch_get_item", batch_get_item)
    return seen


def test_batch_get_reads_150_keys_in_two_requests_when_projected(items, monkeypatch):
    # Given
    seen = _calls(monkeypatch)
    # When
    found = db.batch_get(items + [("T#bench", "ITEM#missing"), items[0]], fields=("sk", "n"))
    # Then
    assert seen == [100, 51]
    assert sorted(int(i["n"]) for i in found) == list(range(150))
    assert all(set(i) == {"sk", "n"} for i in found)


def test_batch_get_retries_unprocessed_keys_when_dynamodb_returns_some(items, monkeypatch):
    # Given DynamoDB processes only the first ten keys of each request
    monkeypatch.setattr(db.time, "sleep", lambda seconds: None)

    def partial(request, response):
        (table, spec), = request.items()
        keys = spec["Keys"]
        if len(keys) <= 10:
            return response
        done = {k["sk"] for k in keys[:10]}
        return {"Responses": {table: [i for i in response["Responses"][table] if i["sk"] in done]},
                "UnprocessedKeys": {table: {**spec, "Keys": keys[10:]}}}

    seen = _calls(monkeypatch, partial)
    # When
    found = db.batch_get(items[:30], fields=("sk",))
    # Then
    assert sorted(i["sk"] for i in found) == [sk for _, sk in items[:30]]
    assert seen == [30, 20, 10]


def test_batch_get_gives_up_when_keys_stay_unprocessed(items, monkeypatch):
    monkeypatch.setattr(db.time, "sleep", lambda seconds: None)
    seen = _calls(monkeypatch, lambda request, response: {"Responses": {}, "UnprocessedKeys": request})
    with pytest.raises(RuntimeError):
        db.batch_get(items[:5], fields=("sk",))
    assert len(seen) == db.BATCH_GET_MAX_ROUNDS
