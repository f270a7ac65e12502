package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow"
)

// redriveDedupPrefix starts the deduplication id of a redriven FIFO
// message: "redrive-" and the message's SQS id in the dead-letter queue.
// That id is the same on every receive, so a message sent again after an
// interrupted redrive is dropped by SQS as a duplicate within its
// five-minute deduplication interval. It differs from the id the message
// was first sent with, which the source queue may still remember.
const redriveDedupPrefix = "redrive-"

// redriveGroupFallback is the message group of a FIFO dead letter that
// carries none.
const redriveGroupFallback = "redrive"

// redriveEntry is the SendMessageBatch entry that returns m to its source
// queue: the same body and message attributes, without the consume
// markers (see redriveAttributes); on FIFO the same message group and a
// deduplication id derived from the message id.
func redriveEntry(id string, m sqstypes.Message, fifo bool) sqstypes.SendMessageBatchRequestEntry {
	e := sqstypes.SendMessageBatchRequestEntry{
		Id: aws.String(id), MessageBody: m.Body, MessageAttributes: redriveAttributes(m.MessageAttributes),
	}
	if fifo {
		e.MessageGroupId = aws.String(messageGroup(m))
		e.MessageDeduplicationId = aws.String(redriveDedupID(aws.ToString(m.MessageId)))
	}
	return e
}

// messageGroup is the message group m is redriven to on FIFO: its own, or
// redriveGroupFallback.
func messageGroup(m sqstypes.Message) string {
	return firstOf(m.Attributes[string(sqstypes.MessageSystemAttributeNameMessageGroupId)], redriveGroupFallback)
}

// redriveDedupID returns the deduplication id of a redriven message whose
// SQS id in the dead-letter queue is sqsID.
func redriveDedupID(sqsID string) string {
	id := redriveDedupPrefix + sqsID
	if validDedupID(id) {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// validDedupID applies the SQS rules: 1..128 characters, alphanumeric or
// punctuation.
func validDedupID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range id {
		if r < '!' || r > '~' {
			return false
		}
	}
	return true
}

// redriveAttributes returns attrs without the consume markers
// (sf_failure, sf_last_error, …; sourceflow.IsConsumeMarker), removed
// from the attributes and from the packed envelope sf_env: they describe
// the failed delivery, and a redriven message must not look dead-lettered
// to a later peek, a filter or a tool. Every other attribute is kept as
// it is, the message id (the idempotency key) included, so a duplicate
// left by an interrupted redrive is absorbed by the consumer.
func redriveAttributes(attrs map[string]sqstypes.MessageAttributeValue) map[string]sqstypes.MessageAttributeValue {
	out := maps.Clone(attrs)
	for k := range out {
		if sourceflow.IsConsumeMarker(k) {
			delete(out, k)
		}
	}
	packed, ok := out[sourceflow.MetaEnvelope]
	if !ok || packed.StringValue == nil {
		return out
	}
	var env map[string]string
	if json.Unmarshal([]byte(*packed.StringValue), &env) != nil || env == nil {
		return out
	}
	n := len(env)
	maps.DeleteFunc(env, func(k, _ string) bool { return sourceflow.IsConsumeMarker(k) })
	if len(env) == n {
		return out
	}
	b, _ := json.Marshal(env)
	packed.StringValue = aws.String(string(b))
	out[sourceflow.MetaEnvelope] = packed
	return out
}

// entrySize is what SQS counts of an entry toward the batch limit.
func entrySize(e sqstypes.SendMessageBatchRequestEntry) int {
	n := len(aws.ToString(e.MessageBody))
	for k, v := range e.MessageAttributes {
		n += len(k) + len(aws.ToString(v.DataType)) + len(aws.ToString(v.StringValue)) + len(v.BinaryValue)
	}
	return n
}

// entryID is the batch entry id of the i-th message of a batch.
func entryID(i int) string { return "m" + strconv.Itoa(i) }
