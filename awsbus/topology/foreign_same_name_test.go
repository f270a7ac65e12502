package topology_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// listening is a Binding of service listening to each of topics, a type
// of its own on each.
func listening(service string, topics ...string) sourceflow.Binding {
	b := sourceflow.Binding{Service: service}
	for i, topic := range topics {
		b.Listeners = append(b.Listeners, sourceflow.Listener{Destination: topic, Kind: sourceflow.KindEvent,
			Types: []string{"orders.Event" + string(rune('A'+i))}})
	}
	return b
}

// eventQueues returns the plan's event queue of each topic.
func eventQueues(t *testing.T, p topology.Plan, topics ...string) []string {
	t.Helper()
	var out []string
	for _, topic := range topics {
		d, ok := p.Destination(topic)
		require.True(t, ok, topic)
		out = append(out, d.Queue)
	}
	return out
}

// A service listens to topics of one name in other accounts and regions,
// and to its own: its own keeps the default name, each foreign one gets a
// queue of its own, within SQS's limit with its dead-letter queue's suffix.
func TestTopology_TopicsOfOneNameInOtherAccountsGetAQueueEach(t *testing.T) {
	other := "arn:aws:sns:eu-west-1:222222222222:order-events"
	elsewhere := "arn:aws:sns:us-east-1:111111111111:order-events"
	topics := []string{"order-events", foreignTopicARN, other, elsewhere}
	p, err := topology.New(listening("billing", topics...), topology.Options{})
	require.NoError(t, err)

	queues := eventQueues(t, p, topics...)
	assert.Equal(t, "billing-order-events", queues[0], "the own topic's queue keeps its name")
	seen := map[string]bool{}
	for _, q := range queues {
		assert.False(t, seen[q], "%s named twice", q)
		seen[q] = true
		assert.True(t, strings.HasPrefix(q, "billing-order-events"), q)
	}
	again, err := topology.New(listening("billing", topics...), topology.Options{})
	require.NoError(t, err)
	assert.Equal(t, queues, eventQueues(t, again, topics...), "the names are the same on every run")
	f, err := topology.NewFile(listening("billing", topics...), topology.Options{})
	require.NoError(t, err)
	fromFile, err := f.Plan()
	require.NoError(t, err)
	assert.Equal(t, queues, eventQueues(t, fromFile, topics...), "the topology file names them so too")
}

// A lone foreign topic keeps the default name: no queue is renamed.
func TestTopology_ALoneForeignTopicKeepsTheDefaultQueueName(t *testing.T) {
	p, err := topology.New(listening("billing", foreignTopicARN, "payments"), topology.Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"billing-order-events", "billing-payments"}, eventQueues(t, p, foreignTopicARN, "payments"))
}

// The queue of a foreign topic whose name collides stays within SQS's 80
// characters, its dead-letter queue's too, FIFO ones with their suffix.
func TestTopology_AForeignTopicsQueueOfACollidingNameFitsSQSLimit(t *testing.T) {
	service := strings.Repeat("s", 30)
	name := strings.Repeat("t", 40) + ".fifo" // the default name just fits, its DLQ at 80
	own := "arn:aws:sns:eu-west-1:111111111111:" + name
	foreign := "arn:aws:sns:eu-west-1:222222222222:" + name
	p, err := topology.New(listening(service, name, own, foreign), topology.Options{})
	require.NoError(t, err)

	queues := eventQueues(t, p, name, own, foreign)
	assert.Equal(t, service+"-"+name, queues[0])
	assert.Len(t, topology.DLQName(queues[0]), topology.MaxQueueNameLength)
	assert.NotEqual(t, queues[1], queues[2])
	for _, q := range queues {
		assert.LessOrEqual(t, len(topology.DLQName(q)), topology.MaxQueueNameLength, q)
		assert.True(t, topology.IsFIFO(q), q)
	}
}

// A custom EventQueueName is told each topic's ARN, so it can name the
// queues of topics of one name apart.
func TestTopology_EventQueueNameIsToldAForeignTopicsARN(t *testing.T) {
	var arns []string
	name := func(p topology.EventQueueNameParams) string {
		arns = append(arns, p.TopicARN)
		return topology.DefaultEventQueueName(p)
	}
	_, err := topology.New(listening("billing", "payments", foreignTopicARN), topology.Options{EventQueueName: name})
	require.NoError(t, err)
	assert.Contains(t, arns, foreignTopicARN)
	assert.Contains(t, arns, "", "an own topic named by name has none")
}

// A file's listen.queue names the event queue of a topic named by ARN
// too, apart from that of a topic of its name named by name.
func TestDecodeFile_ListenQueueNamesAForeignTopicsQueue(t *testing.T) {
	text := `version: 1
service: billing
destinations:
  - name: order-events
    kind: event
    listen:
      handles: [orders.OrderPlaced]
      queue: billing-own-orders
  - name: ` + foreignTopicARN + `
    kind: event
    listen:
      handles: [orders.OrderShipped]
      queue: billing-team-a-orders
`
	f, err := topology.DecodeFile(strings.NewReader(text))
	require.NoError(t, err)
	p, err := f.Plan()
	require.NoError(t, err)
	assert.Equal(t, []string{"billing-own-orders", "billing-team-a-orders"}, eventQueues(t, p, "order-events", foreignTopicARN))
}
