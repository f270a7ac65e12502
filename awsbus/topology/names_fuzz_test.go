package topology_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// awsName is the AWS rule for SQS queue and SNS topic names, apart from the
// length: letters, digits, '-' and '_', then an optional ".fifo".
var awsName = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.fifo)?$`)

// FuzzNames checks name validation against the AWS rule and the names
// derived from valid names: a dead-letter queue and an event queue keep the
// FIFO-ness of their source, differ from it, and are valid whenever they fit
// the length limit.
func FuzzNames(f *testing.F) {
	for _, seed := range []struct{ service, name string }{
		{"billing", "orders"},
		{"billing", "order-events.fifo"},
		{"b", topology.DLQName("orders.fifo")},
		{"svc", topology.DefaultEventQueueName(topology.EventQueueNameParams{Service: "svc", Topic: "t.fifo"})},
		{"svc", ".fifo"},
		{"svc", "orders.FIFO"},
		{"svc.fifo", "a.fifo.fifo"},
		{"s", strings.Repeat("q", 76) + ".fifo"},
		{"s", strings.Repeat("t", 257)},
		{"s p", "arn:aws:sns:us-east-1:1:t"},
	} {
		f.Add(seed.service, seed.name)
	}
	f.Fuzz(func(t *testing.T, service, name string) {
		checkName(t, "queue", name, topology.MaxQueueNameLength, topology.ValidateQueueName(name))
		checkName(t, "topic", name, topology.MaxTopicNameLength, topology.ValidateTopicName(name))
		if topology.ValidateQueueName(name) == nil {
			dlq := topology.DLQName(name)
			require.NotEqual(t, name, dlq, "a queue is never its own dead-letter queue")
			require.Equal(t, topology.IsFIFO(name), topology.IsFIFO(dlq), "DLQ %q of %q", dlq, name)
			checkName(t, "queue", dlq, topology.MaxQueueNameLength, topology.ValidateQueueName(dlq))
			require.Equal(t, len(name)+len(topology.DLQSuffix), len(dlq))
		}
		if topology.ValidateTopicName(name) == nil && awsName.MatchString(service) && !topology.IsFIFO(service) {
			q := topology.DefaultEventQueueName(topology.EventQueueNameParams{Service: service, Topic: name})
			require.Equal(t, topology.IsFIFO(name), topology.IsFIFO(q), "event queue %q of topic %q", q, name)
			require.Equal(t, len(q) <= topology.MaxQueueNameLength, topology.ValidateQueueName(q) == nil,
				"event queue %q of service %q and topic %q", q, service, name)
		}
	})
}

// checkName asserts that err is nil exactly when name follows the AWS rule
// and fits maxLen, and that a rejection is ErrInvalidName naming the kind.
func checkName(t *testing.T, what, name string, maxLen int, err error) {
	t.Helper()
	want := len(name) <= maxLen && awsName.MatchString(name)
	if want {
		require.NoError(t, err, "%s name %q", what, name)
		return
	}
	require.ErrorIs(t, err, topology.ErrInvalidName, "%s name %q", what, name)
	require.Contains(t, err.Error(), what+" name")
}
