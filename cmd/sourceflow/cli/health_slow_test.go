package cli_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// slowSQS answers every read, each after delay: slow but working.
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

// Every call answers well within --check-timeout, and --timeout leaves
// plenty of time, but the whole topology read does not fit in one
// --check-timeout: the topics (no STS, as on an emulator) are then not
// checked, where the read under --timeout resolved their ARNs.
func TestHealth_ASlowEndpointStillHasTheTopicsChecked(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	_, _, code := fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code)

	fake.noSTS = true
	cfg, out, errOut := fake.config("")
	inner := cfg.Clients
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := inner(ctx)
		c.SQS = slowSQS{SQS: fake.sqs, delay: 100 * time.Millisecond}
		return c, err
	}
	code = cli.Run(context.Background(), cfg, []string{"health", "-f", path, "--timeout", "60s", "--check-timeout", "1s"})
	t.Log(out.String(), errOut.String())
	assert.Equal(t, cli.ExitOK, code)
	assert.Regexp(t, `order-events\s+topic\s+up`, out.String(), "a slow but working endpoint leaves the topics unchecked")
}
