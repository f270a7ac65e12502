package cli_test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// runCounting runs args with the SQS client counting lookups, and returns
// the output, the exit code and the lookups by queue name.
func (f *fakeAWS) runCounting(t *testing.T, args ...string) (stdout, stderr string, code int, lookups map[string]int) {
	t.Helper()
	cfg, out, errOut := f.config("")
	counting := newLookupSQS(f.sqs, false)
	clients := cfg.Clients
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := clients(ctx)
		c.SQS = counting
		return c, err
	}
	code = cli.Run(context.Background(), cfg, args)
	return out.String(), errOut.String(), code, counting.lookups
}

// apply compares, creates and compares again, yet looks each queue up
// once for the comparison and the changes (a queue it creates is known
// from CreateQueue's answer), and once more for the comparison after, which
// reads what SQS holds then.
func TestApply_LooksEachQueueUpOncePerComparison(t *testing.T) {
	fake := newFakeAWS()
	path, twice := ordersApplyLookups(t)

	out, errOut, code, created := fake.runCounting(t, "apply", "-f", path)

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "created queue orders.fifo\n")
	assert.Contains(t, out, fake.sqs.QueueURL("orders.fifo"), "the endpoints show the queue created")
	assert.Equal(t, twice, created, "lookups while creating")

	out, errOut, code, inPlace := fake.runCounting(t, "apply", "-f", path)

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Apply complete: 0 created, 0 changed.")
	delete(twice, "payments-dlq.fifo")
	assert.Equal(t, twice, inPlace, "lookups of queues in place")
}

// racingSQS creates queue taken with other attributes, as another
// instance would, when the first other queue is created.
type racingSQS struct {
	topology.SQSAPI
	fake  *awsbustest.SQS
	taken string
	once  sync.Once
}

func (s *racingSQS) CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, opts ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error) {
	var err error
	if aws.ToString(in.QueueName) != s.taken {
		s.once.Do(func() {
			_, err = s.fake.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(s.taken),
				Attributes: map[string]string{"FifoQueue": "true", "VisibilityTimeout": "5"}})
		})
	}
	if err != nil {
		return nil, err
	}
	return s.SQSAPI.CreateQueue(ctx, in, opts...)
}

// A queue apply found missing, and another instance then created with
// other attributes, is looked up again when SQS refuses to create it, and
// reconciled.
func TestApply_ReconcilesAQueueCreatedMeanwhile(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	cfg, _, errOut := fake.config("")
	clients := cfg.Clients
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := clients(ctx)
		c.SQS = &racingSQS{SQSAPI: c.SQS, fake: fake.sqs, taken: "orders.fifo"}
		return c, err
	}

	code := cli.Run(context.Background(), cfg, []string{"apply", "-f", path})

	require.Equal(t, cli.ExitOK, code, errOut.String())
	attrs, err := fake.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(fake.sqs.QueueURL("orders.fifo")), AttributeNames: []sqstypes.QueueAttributeName{"VisibilityTimeout"}})
	require.NoError(t, err)
	assert.Equal(t, "30", attrs.Attributes["VisibilityTimeout"])
}

// ordersApplyLookups writes the orders topology and returns its path and
// the lookups of each queue an apply that creates them all makes: two, one
// per comparison, but for the dead-letter queue of payments.fifo, which
// orders only sends to: it is left to its consumer once payments.fifo
// exists, so the comparison after does not look it up.
func ordersApplyLookups(t *testing.T) (string, map[string]int) {
	t.Helper()
	opts := topology.Options{}
	p, err := topology.New(ordersBinding(), opts)
	require.NoError(t, err)
	twice := map[string]int{}
	for _, q := range p.Queues {
		twice[q.Name], twice[q.DLQ] = 2, 2
	}
	twice["payments-dlq.fifo"] = 1
	return writeTopology(t, ordersBinding(), opts), twice
}
