package awsbus

import (
	"testing"

	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// Only a message on its last allowed receive, with a dead-letter queue to
// copy it to, is dead-lettered instead of released; a malformed one keeps
// its own reason too. One received past the endpoint's limit shows that
// the queue allows more receives: it is released, for SQS to decide.
func TestUnsettledReason(t *testing.T) {
	received := func(count, malformed string) *delivery {
		return &delivery{malformed: malformed, raw: sqstypes.Message{Attributes: map[string]string{
			string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount): count,
		}}}
	}
	tests := []struct {
		name string
		ep   topology.Endpoint
		d    *delivery
		want string
	}{
		{"last receive", topology.Endpoint{DLQURL: "dlq", MaxReceiveCount: 3}, received("3", ""),
			"awsbus: held on its last allowed receive (3 of 3)"},
		{"past the limit: the queue's policy allows more", topology.Endpoint{DLQURL: "dlq", MaxReceiveCount: 3}, received("4", ""), ""},
		{"malformed", topology.Endpoint{DLQURL: "dlq", MaxReceiveCount: 1}, received("1", "bad envelope"),
			"awsbus: held on its last allowed receive (1 of 1): bad envelope"},
		{"receives left", topology.Endpoint{DLQURL: "dlq", MaxReceiveCount: 3}, received("2", ""), ""},
		{"receive count unknown", topology.Endpoint{DLQURL: "dlq", MaxReceiveCount: 3}, received("", ""), ""},
		{"no redrive policy", topology.Endpoint{DLQURL: "dlq"}, received("5", ""), ""},
		{"no dead-letter queue", topology.Endpoint{MaxReceiveCount: 1}, received("1", ""), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub := &subscription{ep: tt.ep}
			assert.Equal(t, tt.want, sub.unsettledReason(tt.d, "held"))
		})
	}
}
