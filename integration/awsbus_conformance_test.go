//go:build integration

package integration

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/tests"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// conformanceResolver creates, on first use, the queue of each topic name the
// Watermill suite asks for (the suite uses random topic names).
type conformanceResolver struct {
	t      *testing.T
	client *sqs.Client
	fifo   bool
	mu     sync.Mutex
	eps    map[string]topology.Endpoint
}

func (r *conformanceResolver) resolve(topic string) (topology.Endpoint, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ep, ok := r.eps[topic]; ok {
		return ep, nil
	}
	name := strings.NewReplacer("_", "-").Replace(topic)
	if len(name) > 70 {
		name = name[:70]
	}
	if r.fifo {
		name += ".fifo"
	}
	ep := createQueueWithDLQ(r.t, r.client, name, queueOptions{maxReceives: 0, visibility: 10})
	r.eps[topic] = ep
	return ep, nil
}

func runConformance(t *testing.T, fifo bool) {
	client := sqs.NewFromConfig(awsConfig(t))
	r := &conformanceResolver{t: t, client: client, fifo: fifo, eps: map[string]topology.Endpoint{}}
	constructor := func(t *testing.T) (message.Publisher, message.Subscriber) {
		pubCfg := awsbus.PublisherConfig{SQS: client, Resolve: r.resolve, Logger: watermill.NopLogger{}}
		if fifo {
			// The suite's messages carry no entity id; this endpoint opts into
			// one fixed group, which is what makes its order guaranteed.
			pubCfg.FallbackGroupID = "conformance"
		}
		pub, err := awsbus.NewPublisher(pubCfg)
		require.NoError(t, err)
		sub, err := awsbus.NewSubscriber(awsbus.SubscriberConfig{
			SQS:            client,
			Resolve:        r.resolve,
			ConsumerConfig: awsbus.ConsumerConfig{WaitTime: 2 * time.Second, VisibilityTimeout: 10 * time.Second, ShutdownTimeout: time.Second, NackBackoff: -1},
		})
		require.NoError(t, err)
		return pub, sub
	}
	tests.TestPubSub(t, tests.Features{
		ConsumerGroups:      false,
		ExactlyOnceDelivery: false,
		GuaranteedOrder:     fifo,
		Persistent:          true,
		ForceShort:          true, // emulator: the short message counts
	}, constructor, nil)
}

func TestAWSBusConformanceStandard(t *testing.T) {
	t.Parallel() // emulator only, names of its own: see TestMain
	runConformance(t, false)
}

func TestAWSBusConformanceFIFO(t *testing.T) {
	t.Parallel() // emulator only, names of its own: see TestMain
	runConformance(t, true)
}
