package awsbus

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// A dead letter whose attributes fill the budget carries its reason inside
// the packed envelope, or, when that envelope is unreadable (not JSON, or
// JSON null), in place of it.
func TestWithReasonKeepsTheBudgetWhateverThePackedEnvelope(t *testing.T) {
	for _, packed := range []string{`{"sf_id":"m-1"}`, `null`, `not json`} {
		attrs := map[string]sqstypes.MessageAttributeValue{
			sourceflow.MetaEnvelope: {DataType: aws.String("String"), StringValue: aws.String(packed)},
		}
		for i := len(attrs); i < sourceflow.AttributeBudget; i++ {
			attrs[fmt.Sprintf("user_%d", i)] = sqstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String("v")}
		}
		out := withReason(attrs, "poison")
		assert.LessOrEqual(t, len(out), sourceflow.AttributeBudget, packed)
		inEnvelope := out[sourceflow.MetaEnvelope].StringValue != nil && aws.ToString(out[sourceflow.MetaEnvelope].StringValue) != packed
		assert.True(t, inEnvelope || aws.ToString(out[sourceflow.MetaFailure].StringValue) == "poison",
			"the reason travels with the dead letter of packed envelope %s", packed)
	}
}
