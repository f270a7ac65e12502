"""Exercise the AWS emulator the way the integration tests rely on it.

Run by `scripts/localstack.sh probe` with a Python that has boto3, against
$AWS_ENDPOINT_URL. Checks SQS send/receive, SNS -> SQS raw delivery with
message attributes, and KMS GenerateDataKey/Decrypt with an encryption
context. Exits 1 when any check fails.
"""

import json
import os
import sys
import time
import uuid

import boto3
from botocore.exceptions import ClientError

FAILURES = []


def check(name, ok, detail=""):
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)))
    if not ok:
        FAILURES.append(name)


def receive(sqs, url, want, seconds=10):
    got = []
    deadline = time.time() + seconds
    while len(got) < want and time.time() < deadline:
        out = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                  MessageAttributeNames=["All"])
        for m in out.get("Messages", []):
            got.append(m)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return got


def main():
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    print("endpoint:", endpoint)
    sfx = uuid.uuid4().hex[:8]
    sqs = boto3.client("sqs", endpoint_url=endpoint)
    sns = boto3.client("sns", endpoint_url=endpoint)
    kms = boto3.client("kms", endpoint_url=endpoint)

    # SQS round trip.
    q = sqs.create_queue(QueueName="probe-q-" + sfx)["QueueUrl"]
    sqs.send_message(QueueUrl=q, MessageBody="hello",
                     MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
    msgs = receive(sqs, q, 1)
    check("sqs send/receive with attributes",
          len(msgs) == 1 and msgs[0]["Body"] == "hello"
          and msgs[0].get("MessageAttributes", {}).get("k", {}).get("StringValue") == "v",
          msgs)

    # SNS -> SQS, raw delivery keeps the body and the attributes.
    topic = sns.create_topic(Name="probe-t-" + sfx)["TopicArn"]
    rq = sqs.create_queue(QueueName="probe-raw-" + sfx)["QueueUrl"]
    rq_arn = sqs.get_queue_attributes(QueueUrl=rq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=rq_arn,
                  Attributes={"RawMessageDelivery": "true"})
    body = json.dumps({"order": sfx})
    sns.publish(TopicArn=topic, Message=body,
                MessageAttributes={"sf_type": {"DataType": "String", "StringValue": "OrderPlaced"}})
    msgs = receive(sqs, rq, 1)
    check("sns->sqs raw delivery: body verbatim",
          len(msgs) == 1 and msgs[0]["Body"] == body, msgs)
    check("sns->sqs raw delivery: message attribute carried",
          len(msgs) == 1
          and msgs[0].get("MessageAttributes", {}).get("sf_type", {}).get("StringValue") == "OrderPlaced",
          msgs)

    # KMS envelope encryption primitives.
    key = kms.create_key()["KeyMetadata"]
    ctx = {"tenant": "t1"}
    dk = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256", EncryptionContext=ctx)
    check("kms GenerateDataKey AES_256 is 32 bytes", len(dk["Plaintext"]) == 32, len(dk["Plaintext"]))
    dec = kms.decrypt(CiphertextBlob=dk["CiphertextBlob"], EncryptionContext=ctx)
    check("kms Decrypt returns the data key", dec["Plaintext"] == dk["Plaintext"])
    try:
        kms.decrypt(CiphertextBlob=dk["CiphertextBlob"], EncryptionContext={"tenant": "t2"})
        check("kms Decrypt with a wrong context fails", False, "no error")
    except ClientError as err:
        code = err.response["Error"]["Code"]
        check("kms Decrypt with a wrong context fails", code == "InvalidCiphertextException", code)

    print("%d check(s) failed" % len(FAILURES) if FAILURES else "all checks passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
