package cli_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A fast, working endpoint, and --timeout no longer than --check-timeout
// (here --timeout 4s under the default --check-timeout of 5s): the
// topology read must still run, so the topics (no STS, as on an emulator)
// are checked on the ARNs it resolves.
func TestHealth_ReadsTheTopologyWhenTimeoutIsShort(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	_, _, code := fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code)

	fake.noSTS = true
	cfg, out, errOut := fake.config("")
	inner := cfg.Clients
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := inner(ctx)
		c.SQS = slowSQS{SQS: fake.sqs, delay: time.Millisecond} // honours its context, as the SDK does
		return c, err
	}
	code = cli.Run(context.Background(), cfg, []string{"health", "-f", path, "--timeout", "4s"})
	t.Log(out.String(), errOut.String())
	assert.Equal(t, cli.ExitOK, code)
	assert.Regexp(t, `order-events\s+topic\s+up`, out.String(), "the read had no time at all")
}

// refusingSQS fails every call at once, as an endpoint with bad
// credentials does, after honouring its context as the SDK does.
type refusingSQS struct{ slowSQS }

func (s refusingSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, o ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return nil, errors.New("InvalidClientTokenId: the security token included in the request is invalid")
}

func (s refusingSQS) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, o ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return nil, errors.New("InvalidClientTokenId: the security token included in the request is invalid")
}

// Every call is refused at once (bad credentials) under --timeout 4s: the
// error must name the refusal, not blame --check-timeout for a read that
// was given no time.
func TestHealth_RefusedCallsDoNotBlameCheckTimeout(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	_, _, code := fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code)

	fake.noSTS = true
	cfg, out, errOut := fake.config("")
	inner := cfg.Clients
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := inner(ctx)
		c.SQS = refusingSQS{slowSQS{SQS: fake.sqs}}
		return c, err
	}
	code = cli.Run(context.Background(), cfg, []string{"health", "-f", path, "--timeout", "4s"})
	t.Log(out.String(), errOut.String())
	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, errOut.String(), "InvalidClientTokenId")
	assert.NotContains(t, errOut.String(), "--check-timeout")
}
