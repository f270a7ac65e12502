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

// hangingSQS is an SQS endpoint that accepts connections and never answers
// (GetQueueUrl and GetQueueAttributes block until their context ends).
type hangingSQS struct{ *awsbustest.SQS }

func (h hangingSQS) GetQueueUrl(ctx context.Context, _ *sqs.GetQueueUrlInput, _ ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func (h hangingSQS) GetQueueAttributes(ctx context.Context, _ *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// --check-timeout is documented as "bound on each check"; a hanging SQS
// must cost each check at most that, and must not make the SNS topic
// checks (whose endpoint answers) fail.
func TestHealth_CheckTimeoutBoundsAHangingEndpoint(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	_, _, code := fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code)

	cfg, out, _ := fake.config("")
	inner := cfg.Clients
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := inner(ctx)
		c.SQS = hangingSQS{fake.sqs}
		c.AccountID = fake.sqs.AccountID()
		return c, err
	}
	began := time.Now()
	code = cli.Run(context.Background(), cfg, []string{"health", "-f", path, "--timeout", "20s", "--check-timeout", "300ms"})
	elapsed := time.Since(began)

	t.Log(out.String())
	assert.NotEqual(t, cli.ExitOK, code)
	assert.Less(t, elapsed, 10*time.Second, "health took the whole --timeout, not --check-timeout per check")
	assert.Regexp(t, `order-events\s+topic\s+up`, out.String(), "the topic checks were starved by the SQS read before them")
}

// A command cut off by its own --timeout (the endpoint answers slowly) must
// say so and how to give it more time, not send the user to check the
// credentials, region and endpoint; interrupted (Ctrl-C), it must not
// blame them either.
func TestTimeoutAndInterruptSayWhatHappened(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	cfg, _, errOut := fake.config("")
	inner := cfg.Clients
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := inner(ctx)
		c.SQS = hangingSQS{fake.sqs}
		return c, err
	}
	code := cli.Run(context.Background(), cfg, []string{"plan", "-f", path, "--timeout", "300ms"})
	assert.Equal(t, cli.ExitAWS, code)
	t.Log(errOut.String())
	assert.Contains(t, errOut.String(), "--timeout", "a timeout is reported as a credentials/endpoint problem")

	cfg, _, errOut = fake.config("")
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := inner(ctx)
		c.SQS = hangingSQS{fake.sqs}
		return c, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(300*time.Millisecond, cancel) // Ctrl-C
	code = cli.Run(ctx, cfg, []string{"plan", "-f", path})
	assert.Equal(t, cli.ExitInterrupted, code)
	t.Log(errOut.String())
	assert.Contains(t, errOut.String(), "interrupted")
	assert.NotContains(t, errOut.String(), "check the credentials", "an interruption is reported as a credentials/endpoint problem")
}
