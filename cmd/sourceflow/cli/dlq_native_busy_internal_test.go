package cli

import (
	"errors"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
)

// SQS's refusal of a second active move task is told by its code and a
// loose match of its message, so that a reworded message is still busy,
// while the same code for another invalid parameter is not.
func TestRefusedBusy(t *testing.T) {
	refusal := func(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }
	assert.True(t, refusedBusy(refusal("InvalidParameterValue",
		"There is already a task running. Only one active task is allowed for a source queue arn at a given time.")))
	assert.True(t, refusedBusy(refusal("InvalidParameterValue", "A message move task running for this source already exists.")))
	assert.False(t, refusedBusy(refusal("InvalidParameterValue", "Value for parameter MaxNumberOfMessagesPerSecond is invalid.")))
	assert.False(t, refusedBusy(refusal("AccessDenied", "task running")))
	assert.False(t, refusedBusy(errors.New("task running")))
}
