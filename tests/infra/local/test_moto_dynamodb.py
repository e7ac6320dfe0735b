"""The local stack's corrections to moto's DynamoDB: transactions roll back exactly the items they touched
(without copying the table), and concurrent requests cannot break a transaction."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra.local import moto_dynamodb
from infra.local.aws import CREDENTIALS, EmbeddedAws

TABLE = "t"


def _create(ddb) -> None:
    ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])


def _item(ddb, pk: str, sk: str = "x"):
    return ddb.get_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": sk}}).get("Item")


def test_a_cancelled_transaction_restores_exactly_the_items_it_touched():
    with mock_aws(), moto_dynamodb.installed():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _create(ddb)
        ddb.put_item(TableName=TABLE, Item={"pk": {"S": "kept"}, "sk": {"S": "x"}, "n": {"N": "1"}})
        ddb.put_item(TableName=TABLE, Item={"pk": {"S": "deleted"}, "sk": {"S": "x"}, "n": {"N": "2"}})
        ddb.put_item(TableName=TABLE, Item={"pk": {"S": "other"}, "sk": {"S": "x"}})
        with pytest.raises(ClientError) as raised:
            ddb.transact_write_items(TransactItems=[
                {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "new"}, "sk": {"S": "x"}}}},
                {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "kept"}, "sk": {"S": "x"}}, "UpdateExpression": "ADD n :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "deleted"}, "sk": {"S": "x"}}}},
                {"ConditionCheck": {"TableName": TABLE, "Key": {"pk": {"S": "missing"}, "sk": {"S": "x"}},
                                    "ConditionExpression": "attribute_exists(pk)"}},
            ])
        assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
        assert _item(ddb, "new") is None
        assert _item(ddb, "kept")["n"] == {"N": "1"}
        assert _item(ddb, "deleted")["n"] == {"N": "2"}
        assert _item(ddb, "other") is not None


def test_a_committed_transaction_writes_every_item():
    with mock_aws(), moto_dynamodb.installed():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _create(ddb)
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": TABLE, "Item": {"pk": {"S": f"p{i}"}, "sk": {"S": "x"}}}}
                                                for i in range(3)])
        assert all(_item(ddb, f"p{i}") for i in range(3))


def test_transactions_and_writes_arriving_together_all_succeed_on_the_local_server(monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION", "AWS_REGION", *CREDENTIALS):
        monkeypatch.setenv(name, "")  # EmbeddedAws points the process at itself: record the variables so they are restored
        monkeypatch.delenv(name)
    aws = EmbeddedAws()
    aws.start()
    try:
        ddb = aws.client("dynamodb")
        _create(ddb)
        failures: list[str] = []
        lock = threading.Lock()

        def work(i: int) -> None:
            try:
                ddb.transact_write_items(TransactItems=[
                    {"Put": {"TableName": TABLE, "Item": {"pk": {"S": f"t{i}"}, "sk": {"S": "x"}, "pad": {"S": "x" * 500}}}},
                    {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "counter"}, "sk": {"S": "x"}}, "UpdateExpression": "ADD n :one",
                                "ExpressionAttributeValues": {":one": {"N": "1"}}}}])
                for j in range(5):
                    ddb.put_item(TableName=TABLE, Item={"pk": {"S": f"w{i}-{j}"}, "sk": {"S": "x"}, "pad": {"S": "y" * 500}})
            except ClientError as exc:
                with lock:
                    failures.append(str(exc))

        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(work, range(120)))
        assert failures == []
        assert _item(ddb, "counter")["n"] == {"N": "120"}
    finally:
        aws.stop()
        moto_dynamodb.uninstall()


def test_snapshot_export_reads_exactly_what_a_scan_returns():
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _create(ddb)
        ddb.put_item(TableName=TABLE, Item={"pk": {"S": "a"}, "sk": {"S": "x"}, "n": {"N": "1.50"}, "b": {"B": b"\x00\xff"},
                                            "m": {"M": {"l": {"L": [{"S": "v"}, {"N": "2"}, {"BOOL": True}, {"NULL": True}]}}},
                                            "ss": {"SS": ["p", "q"]}, "bs": {"BS": [b"\x01"]}})
        for i in range(30):
            ddb.put_item(TableName=TABLE, Item={"pk": {"S": f"p{i}"}, "sk": {"S": "x"}})
        scanned = [i for page in ddb.get_paginator("scan").paginate(TableName=TABLE) for i in page["Items"]]
        exported = moto_dynamodb.export_items(TABLE, account_id="123456789012", region="us-east-1")
        key = lambda item: (item["pk"]["S"], item["sk"]["S"])  # noqa: E731
        assert sorted(exported, key=key) == sorted(scanned, key=key)


def _indexed_table(ddb) -> None:
    ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "g", "gs")],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                     GlobalSecondaryIndexes=[{"IndexName": "gsi", "Projection": {"ProjectionType": "ALL"},
                                              "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "gs", "KeyType": "RANGE"}]}])
    for p in range(6):
        for s in range(25):
            item = {"pk": {"S": f"P{p}"}, "sk": {"S": f"{'A' if s % 2 else 'B'}#{s:03d}"}, "n": {"N": str(s)}}
            if s % 3 == 0:  # sparse index
                item.update(g={"S": f"G{s % 2}"}, gs={"S": f"{25 - s:03d}"})
            ddb.put_item(TableName=TABLE, Item=item)


QUERIES = {
    "partition": {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "P2"}}},
    "prefix, newest first": {"KeyConditionExpression": "pk = :p AND begins_with(sk, :a)", "ScanIndexForward": False,
                             "ExpressionAttributeValues": {":p": {"S": "P3"}, ":a": {"S": "A#"}}},
    "filtered": {"KeyConditionExpression": "pk = :p", "FilterExpression": "n > :five",
                 "ExpressionAttributeValues": {":p": {"S": "P1"}, ":five": {"N": "5"}}},
    "missing partition": {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "nope"}}},
    "index": {"IndexName": "gsi", "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "G0"}}},
    "index, range": {"IndexName": "gsi", "KeyConditionExpression": "g = :g AND gs > :m", "ScanIndexForward": False,
                     "ExpressionAttributeValues": {":g": {"S": "G1"}, ":m": {"S": "010"}}},
}


def _pages(ddb, query: dict) -> list[list[dict]]:
    pages, start = [], None
    while True:
        answer = ddb.query(TableName=TABLE, Limit=4, **query, **({"ExclusiveStartKey": start} if start else {}))
        pages.append(answer["Items"])
        start = answer.get("LastEvaluatedKey")
        if not start:
            return pages


@pytest.mark.parametrize("name", list(QUERIES))
def test_a_query_answers_page_by_page_exactly_as_moto_does_when_it_reads_only_its_partition(name):
    # Given the same table queried with moto's own Query and with the partition-only one
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _indexed_table(ddb)
        expected = _pages(ddb, QUERIES[name])
        # When
        with moto_dynamodb.installed():
            answered = _pages(ddb, QUERIES[name])
    # Then
    assert answered == expected


def test_a_base_table_query_does_not_visit_other_partitions(monkeypatch):
    with mock_aws(), moto_dynamodb.installed():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _indexed_table(ddb)
        visited = []
        original = moto_dynamodb._all_items
        monkeypatch.setattr(moto_dynamodb.Table, "all_items", lambda self: visited.extend(original(self)) or original(self))
        ddb.query(TableName=TABLE, **QUERIES["partition"])
        assert visited and {item.hash_key.value for item in visited} == {"P2"}
