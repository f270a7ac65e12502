package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
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
// markers and with attributes packed on the way into the dead-letter queue
// unpacked (see redriveAttributes); on FIFO the same message group and a
// deduplication id derived from the message id, and one more redrive
// counted at at (see countRedrive), in the envelope sf_env as decoded once
// for both. packed reports that some of m's own attributes stay packed in
// sf_env.
func redriveEntry(id string, m sqstypes.Message, fifo, resetHops bool, at time.Time) (e sqstypes.SendMessageBatchRequestEntry, packed bool) {
	attrs, env, changed, packed := strippedAttributes(m.MessageAttributes, resetHops)
	if countRedrive(env, at) || changed {
		writeEnvelope(attrs, env)
	}
	e = sqstypes.SendMessageBatchRequestEntry{Id: aws.String(id), MessageBody: m.Body, MessageAttributes: attrs}
	if fifo {
		e.MessageGroupId = aws.String(messageGroup(m))
		e.MessageDeduplicationId = aws.String(redriveDedupID(aws.ToString(m.MessageId)))
	}
	return e, packed
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
// it is, the message id (with its type, the idempotency key) included, so a duplicate
// left by an interrupted redrive is absorbed by the consumer.
//
// An envelope without the UUID key, which SourceFlow's own envelope always
// has, holds attributes of a message from another producer that awsbus
// packed to make room for the reason: they get attributes of their own
// again, as the message carried them (see unpackForeign). When they cannot,
// they stay packed and packed is true.
//
// With resetHops the hop count (sourceflow.MetaHops) is removed as well,
// from the attributes and from sf_env: the message counts 0 hops.
func redriveAttributes(attrs map[string]sqstypes.MessageAttributeValue, resetHops bool) (out map[string]sqstypes.MessageAttributeValue, packed bool) {
	out, env, changed, packed := strippedAttributes(attrs, resetHops)
	if changed {
		writeEnvelope(out, env)
	}
	return out, packed
}

// strippedAttributes is redriveAttributes with the envelope that stays
// packed returned decoded, in env (nil when there is none), and not yet
// written back: changed reports that it lost keys, so that out's sf_env
// must be rewritten from env (writeEnvelope).
func strippedAttributes(attrs map[string]sqstypes.MessageAttributeValue, resetHops bool) (
	out map[string]sqstypes.MessageAttributeValue, env map[string]string, changed, packed bool) {
	dropped := func(k string) bool { return sourceflow.IsConsumeMarker(k) || (resetHops && k == sourceflow.MetaHops) }
	out = maps.Clone(attrs)
	maps.DeleteFunc(out, func(k string, _ sqstypes.MessageAttributeValue) bool { return dropped(k) })
	envelope, ok := out[sourceflow.MetaEnvelope]
	if !ok || envelope.StringValue == nil {
		return out, nil, false, false
	}
	if json.Unmarshal([]byte(*envelope.StringValue), &env) != nil || env == nil {
		return out, nil, false, false
	}
	n := len(env)
	maps.DeleteFunc(env, func(k, _ string) bool { return dropped(k) })
	_, ours := env[envelopeUUID]
	if !ours && unpackForeign(out, env) {
		return out, nil, false, false
	}
	return out, env, len(env) != n, !ours
}

// writeEnvelope sets the envelope attribute sf_env of attrs to env.
func writeEnvelope(attrs map[string]sqstypes.MessageAttributeValue, env map[string]string) {
	b, _ := json.Marshal(env) // a map of strings always encodes
	envelope := attrs[sourceflow.MetaEnvelope]
	envelope.StringValue = aws.String(string(b))
	attrs[sourceflow.MetaEnvelope] = envelope
}

// unpackForeign replaces the envelope attribute in out with a String
// attribute for each key of env, the envelope's content without the
// consume markers. It reports false, and leaves out as it is, when that
// would exceed sourceflow.AttributeBudget, or a key is not a valid
// attribute name, has an empty value or one SQS refuses, or names an
// attribute out already has. A packed attribute that was not a String
// (awsbus packs its value as text) comes back as a String.
func unpackForeign(out map[string]sqstypes.MessageAttributeValue, env map[string]string) bool {
	if len(out)-1+len(env) > sourceflow.AttributeBudget {
		return false
	}
	for k, v := range env {
		if _, taken := out[k]; taken || v == "" || !sqsrules.ValidAttributeName(k) || !sqsrules.ValidText(v) {
			return false
		}
	}
	delete(out, sourceflow.MetaEnvelope)
	for k, v := range env {
		out[k] = sqstypes.MessageAttributeValue{DataType: aws.String(sourceflow.AttributeDataType), StringValue: aws.String(v)}
	}
	return true
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

// countRedrive counts one more redrive, at at, in env, a dead letter's
// decoded envelope (sourceflow.CountRedrive), when it is SourceFlow's own
// (it holds the UUID key), and reports whether it did: a message without
// it (another producer's) goes back uncounted, as it was, and keeps
// matching when it comes back.
func countRedrive(env map[string]string, at time.Time) bool {
	if env[envelopeUUID] == "" {
		return false
	}
	sourceflow.CountRedrive(env, at)
	return true
}
