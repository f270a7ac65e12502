package cli_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

type hangingSNS struct{ *awsbustest.SNS }

func (h hangingSNS) GetTopicAttributes(ctx context.Context, _ *sns.GetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// Every check of health is cut short by --check-timeout, not by --timeout
// (20s here): the advice must point at --check-timeout; "allow more time
// with --timeout" cannot help.
func TestHealth_CallsCutByCheckTimeoutPointAtIt(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	_, _, code := fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code)

	cfg, out, errOut := fake.config("")
	inner := cfg.Clients
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := inner(ctx)
		c.SQS = hangingSQS{fake.sqs}
		c.SNS = hangingSNS{fake.sns}
		return c, err
	}
	code = cli.Run(context.Background(), cfg, []string{"health", "-f", path, "--timeout", "20s", "--check-timeout", "300ms"})
	t.Log(out.String())
	t.Log(errOut.String())
	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, errOut.String(), "--check-timeout", "the advice names the bound that cut the calls short")
}
