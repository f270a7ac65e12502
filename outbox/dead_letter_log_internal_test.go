package outbox

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A dead letter's log line names the forwarded message's correlation id
// only when sourceflow.ValidCorrelationID accepts it: an oversize or
// unprintable id a sender chose does not reach the logs.
func TestDeadLetterLogLeavesOutAnInvalidCorrelationID(t *testing.T) {
	for corr, want := range map[string]any{
		"corr-1":                 "corr-1",
		strings.Repeat("c", 300): nil,
		"corr\nlevel=INFO":       nil,
	} {
		logs := watermill.NewCaptureLogger()
		payload, err := json.Marshal(envelope{DestinationTopic: "orders", UUID: "m-1", Metadata: map[string]string{sourceflow.MetaCorrelationID: corr}})
		require.NoError(t, err)
		logDeadLetter(logs, "obx", message.NewMessage("row-1", payload))

		lines := logs.Captured()[watermill.ErrorLogLevel]
		require.Len(t, lines, 1)
		assert.Equal(t, want, lines[0].Fields["correlation_id"], "%.20q", corr)
		assert.Equal(t, "m-1", lines[0].Fields["forwarded_uuid"])
	}
}

// The outbox reports its forwarder's dead letters by their destination,
// summed with those of an inner transport that reports its own.
func TestDeadLettersByDestinationAddsTheInnerTransports(t *testing.T) {
	box := &Transport{cfg: Config{Transport: countingTransport{counts: map[string]int64{"orders": 2, "payments": 1}}}}
	box.dead.Add("orders")
	box.dead.Add("shipping")

	assert.Equal(t, map[string]int64{"orders": 3, "payments": 1, "shipping": 1}, box.DeadLettersByDestination())

	box.cfg.Transport = nil // an inner transport that reports none
	assert.Equal(t, map[string]int64{"orders": 1, "shipping": 1}, box.DeadLettersByDestination())
}

// countingTransport is a transport that reports fixed dead-letter counts.
type countingTransport struct {
	cqrs.Transport
	counts map[string]int64
}

func (c countingTransport) DeadLettersByDestination() map[string]int64 { return maps.Clone(c.counts) }
