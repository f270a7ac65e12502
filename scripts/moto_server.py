"""Run moto server as DynamoDB behaves where the DynamoDB tests need it.

    python moto_server.py HOST PORT

Two differences from moto's own `python -m moto.server`, both where moto
departs from DynamoDB:

1. Requests are handled one at a time. DynamoDB applies each conditional
   write and each TransactWriteItems atomically; moto's backend takes no
   lock, so with concurrent requests two writers' conditions can both pass.
   Tests of optimistic concurrency need the guarantee AWS gives. (The
   threaded server still accepts connections concurrently.)
2. TransactWriteItems checks every condition before it writes anything, and
   writes only when all hold. moto instead deep-copies every table the
   transaction touches, to restore it when a condition fails: each
   transaction then costs time in proportion to the tables' size, so a run
   of thousands of commands slows to a crawl. With requests serialised, the
   checked conditions cannot change before the writes.

It also listens with a backlog of 4096 connections instead of werkzeug's
128: with hundreds of concurrent requests waiting for their turn, a full
backlog resets connections, and the SDK then retries requests the server may
already have applied.
"""

import copy
import sys
import threading

from werkzeug import serving

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import MultipleTransactionsException, TransactionCanceledException
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


class _CopyWithoutTables:
    """The copy module, except that deepcopy returns a Table itself."""

    def __getattr__(self, name):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(x, memo=None):
        if isinstance(x, Table):
            return x
        return copy.deepcopy(x, memo)


_moto_transact = dynamodb_models.DynamoDBBackend.transact_write_items


def _key_of(backend, op_type, op):
    if op_type != "Put":
        return op["Key"]
    table = backend.get_table(op["TableName"])
    names = [n for n in (table.hash_key_attr, table.range_key_attr) if n]
    return {n: op["Item"][n] for n in names}


def _check(backend, transact_items):
    """Evaluates every condition; returns moto's error list when one fails.

    Two operations on one item are refused as DynamoDB refuses them, before
    anything is written (moto would refuse them after writing the first).
    """
    errors, failed, keys = [], False, set()
    for entry in transact_items:
        op_type, op = next(iter(entry.items()))
        key = (op["TableName"], str(sorted(_key_of(backend, op_type, op).items())))
        if key in keys:
            raise MultipleTransactionsException()
        keys.add(key)
        cond = op.get("ConditionExpression")
        if cond is None:
            errors.append((None, None, None))
            continue
        current = backend.get_item(op["TableName"], _key_of(backend, op_type, op))
        expr = get_filter_expression(
            cond, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        )
        if expr.expr(current):
            errors.append((None, None, None))
            continue
        old = None
        if current and op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD":
            old = current.to_json()["Attributes"]
        errors.append(("ConditionalCheckFailed", "The conditional request failed", old))
        failed = True
    return errors if failed else None


def _transact_write_items(self, transact_items):
    if 0 < len(transact_items) <= 100 and all(len(e) == 1 for e in transact_items):
        try:
            errors = _check(self, transact_items)
        except MultipleTransactionsException:
            raise
        except Exception:  # an invalid request: moto reports it
            errors = None
        else:
            if errors:
                raise TransactionCanceledException(errors)
    return _moto_transact(self, transact_items)


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    dynamodb_models.copy = _CopyWithoutTables()
    dynamodb_models.DynamoDBBackend.transact_write_items = _transact_write_items
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serial(environ, start_response):
        with lock:
            return [b"".join(app(environ, start_response))]

    serving.BaseWSGIServer.request_queue_size = 4096
    serving.run_simple(host, port, serial, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
