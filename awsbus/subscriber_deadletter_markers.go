package awsbus

import (
	"encoding/json"
	"maps"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
)

// maxOriginBytes bounds the failed host and version carried to the
// dead-letter queue.
const maxOriginBytes = 256

// deadLetterMarker is a key awsbus writes into a dead-letter copy beside
// the reason, with its value; an empty value writes none.
type deadLetterMarker struct{ key, value string }

// failedOrigin is where the handler of a message failed, as cqrs records
// it on the nacked message (sourceflow.MetaFailedHost,
// sourceflow.MetaFailedVersion); empty for a message no handler failed.
type failedOrigin struct{ host, version string }

// originOf returns where the handler of d failed, each value made a valid
// attribute value of at most maxOriginBytes; none for a d never handed
// out (malformed).
func originOf(d *delivery) failedOrigin {
	if d.msg == nil {
		return failedOrigin{}
	}
	return failedOrigin{
		host:    sqsrules.Text(d.msg.Metadata.Get(sourceflow.MetaFailedHost), maxOriginBytes),
		version: sqsrules.Text(d.msg.Metadata.Get(sourceflow.MetaFailedVersion), maxOriginBytes),
	}
}

// markers returns the markers of a dead-letter copy: o, and the number of
// times the consumer received the message, n (sourceflow.MetaDeliveryCount),
// so that `sourceflow dlq peek` shows the consumer's attempts: the copy's
// own receive count only counts the receives from the dead-letter queue,
// peeks included. n < 1 (SQS did not say) writes none.
func (o failedOrigin) markers(n int) []deadLetterMarker {
	count := ""
	if n > 0 {
		count = strconv.Itoa(n)
	}
	return []deadLetterMarker{
		{sourceflow.MetaFailedHost, o.host}, {sourceflow.MetaFailedVersion, o.version},
		{sourceflow.MetaDeliveryCount, count},
	}
}

// withMarkers returns attrs, the attributes of a dead-letter copy, with
// markers, in order: each an attribute while the budget leaves room for
// one, else a key of the packed envelope; a copy with neither room nor a
// readable envelope carries the rest of them in none. A marker the sender
// put in attrs or in the envelope is dropped first, so the copy never
// shows one awsbus did not write.
func withMarkers(attrs map[string]sqstypes.MessageAttributeValue, markers []deadLetterMarker) map[string]sqstypes.MessageAttributeValue {
	out := maps.Clone(attrs)
	env, readable := packedEnvelope(out)
	repack := false
	for _, m := range markers {
		delete(out, m.key)
		if _, forged := env[m.key]; forged {
			delete(env, m.key)
			repack = true
		}
	}
	for _, m := range markers {
		switch {
		case m.value == "":
		case len(out) < sourceflow.AttributeBudget:
			out[m.key] = stringAttribute(m.value)
		case readable:
			env[m.key], repack = m.value, true
		}
	}
	if repack {
		packed, _ := json.Marshal(env)
		out[sourceflow.MetaEnvelope] = stringAttribute(string(packed))
	}
	return out
}

// packedEnvelope decodes the packed envelope of attrs; readable is false
// when there is none or it is not a JSON object of strings.
func packedEnvelope(attrs map[string]sqstypes.MessageAttributeValue) (env map[string]string, readable bool) {
	raw, has := attrs[sourceflow.MetaEnvelope]
	if !has || json.Unmarshal([]byte(aws.ToString(raw.StringValue)), &env) != nil || env == nil {
		return nil, false
	}
	return env, true
}

// rawReceiveCount is raw's ApproximateReceiveCount; 0 when SQS did not say.
func rawReceiveCount(raw sqstypes.Message) int {
	n, _ := strconv.Atoi(raw.Attributes[string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount)])
	return n
}
