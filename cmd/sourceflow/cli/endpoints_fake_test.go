package cli_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// slowSQS answers every read after delay, honouring its context as the SDK
// does: slow but working.
type slowSQS struct {
	*awsbustest.SQS
	delay time.Duration
}

func (s slowSQS) wait(ctx context.Context) error {
	select {
	case <-time.After(s.delay):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s slowSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, o ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	return s.SQS.GetQueueUrl(ctx, in, o...)
}

func (s slowSQS) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, o ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	return s.SQS.GetQueueAttributes(ctx, in, o...)
}

// hangingSQS accepts connections and never answers a read.
func hangingSQS(fake *awsbustest.SQS) slowSQS { return slowSQS{SQS: fake, delay: time.Hour} }

// refusingSQS refuses every read at once, as an endpoint does a bad token.
type refusingSQS struct{ *awsbustest.SQS }

var errBadToken = errors.New("InvalidClientTokenId: the security token included in the request is invalid")

func (refusingSQS) GetQueueUrl(context.Context, *sqs.GetQueueUrlInput, ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	return nil, errBadToken
}

func (refusingSQS) GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	return nil, errBadToken
}

// hangingSNS never answers a topic read.
type hangingSNS struct{ *awsbustest.SNS }

func (hangingSNS) GetTopicAttributes(ctx context.Context, _ *sns.GetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// appliedOrders returns a fake AWS holding the orders topology, and the
// topology's file.
func appliedOrders(t *testing.T) (*fakeAWS, string) {
	t.Helper()
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	_, errOut, code := fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)
	return fake, path
}

// runOn runs the CLI with ctx on fake, whose clients change edits, and
// logs what it printed.
func runOn(ctx context.Context, t *testing.T, fake *fakeAWS, change func(*cli.Clients), args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cfg, out, errOut := fake.config("")
	inner := cfg.Clients
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := inner(ctx)
		change(&c)
		return c, err
	}
	code = cli.Run(ctx, cfg, args)
	t.Log(out.String(), errOut.String())
	return out.String(), errOut.String(), code
}
