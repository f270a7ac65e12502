package topology_test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// lookupSQS counts the GetQueueUrl calls per queue name.
type lookupSQS struct {
	*awsbustest.SQS
	mu      sync.Mutex
	lookups map[string]int
}

func (s *lookupSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	s.mu.Lock()
	s.lookups[aws.ToString(in.QueueName)]++
	s.mu.Unlock()
	return s.SQS.GetQueueUrl(ctx, in, opts...)
}

// counts returns the lookups so far by queue name, and forgets them.
func (s *lookupSQS) counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.lookups
	s.lookups = map[string]int{}
	return out
}

// Create looks each queue up once, whether it makes the queue or finds it
// in place, and a queue it only sends to once too.
func TestCreate_LooksEachQueueUpOnce(t *testing.T) {
	fake, sn := newFakes()
	sq := &lookupSQS{SQS: fake, lookups: map[string]int{}}
	b := ordersBinding()
	b.Routes = append(b.Routes, sourceflow.Route{Type: "billing.Charge", Kind: sourceflow.KindCommand, Destination: "billing.fifo"})
	p, err := topology.New(b, topology.Options{})
	require.NoError(t, err)
	prov, err := topology.NewProvisioner(topology.ProvisionerConfig{SQS: sq, SNS: sn, AccountID: fake.AccountID(), Region: fake.Region()})
	require.NoError(t, err)
	once := map[string]int{}
	for _, q := range p.Queues {
		once[q.Name], once[q.DLQ] = 1, 1
	}
	delete(once, "billing-dlq.fifo") // the dead-letter queue of a queue only sent to is left to its consumer once the queue exists

	eps, err := prov.Create(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, fake.QueueURL("orders.fifo"), eps["orders.fifo"].QueueURL)
	first := sq.counts()
	_, err = prov.Create(context.Background(), p)
	require.NoError(t, err)

	created := map[string]int{}
	for _, q := range p.Queues {
		created[q.Name], created[q.DLQ] = 1, 1
	}
	assert.Equal(t, created, first, "lookups while creating")
	assert.Equal(t, once, sq.counts(), "lookups of queues in place")
}
