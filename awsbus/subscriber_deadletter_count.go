package awsbus

import (
	"encoding/json"
	"maps"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow"
)

// withReceiveCount returns attrs, the attributes of a dead-letter copy,
// with the number of times the consumer received the message, n
// (sourceflow.MetaDeliveryCount), so that `sourceflow dlq peek` shows the
// consumer's attempts: the copy's own receive count only counts the
// receives from the dead-letter queue, peeks included. The count is an
// attribute when the budget leaves room for one, else a key of the packed
// envelope; a copy with neither room nor a readable envelope carries none.
// A count the sender put in attrs is dropped first, so the copy never
// shows one awsbus did not write; n < 1 (SQS did not say) writes none.
func withReceiveCount(attrs map[string]sqstypes.MessageAttributeValue, n int) map[string]sqstypes.MessageAttributeValue {
	out := maps.Clone(attrs)
	delete(out, sourceflow.MetaDeliveryCount)
	env, readable := packedEnvelope(out)
	_, forged := env[sourceflow.MetaDeliveryCount]
	delete(env, sourceflow.MetaDeliveryCount)
	switch {
	case n < 1:
	case len(out) < sourceflow.AttributeBudget:
		out[sourceflow.MetaDeliveryCount] = stringAttribute(strconv.Itoa(n))
	case readable:
		env[sourceflow.MetaDeliveryCount], forged = strconv.Itoa(n), true
	}
	if forged {
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
