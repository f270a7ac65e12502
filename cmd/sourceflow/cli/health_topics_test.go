package cli_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// healthChecks runs health with JSON output and returns its checks by
// kind and name.
func healthChecks(t *testing.T, fake *fakeAWS, path string) (map[string]topology.HealthCheck, string, int) {
	t.Helper()
	out, errOut, code := fake.run(t, "health", "-f", path, "-o", "json")
	var rep healthJSON
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out+errOut)
	checks := map[string]topology.HealthCheck{}
	for _, c := range rep.Checks {
		checks[c.Kind+" "+c.Name] = c
	}
	return checks, errOut, code
}

// A failed read of the validation step leaves the topic ARNs unresolved:
// the topic probes build them from the account and find the topics.
func TestHealth_TopicsAreCheckedAfterAFailedValidationRead(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	_, errOut, code := fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)
	fake.sns.FailNext("ListSubscriptionsByTopic", 1, nil)

	checks, errOut, code := healthChecks(t, fake, path)

	assert.Equal(t, cli.ExitOK, code, errOut)
	for _, name := range []string{"order-events", "payment-events"} {
		assert.Equal(t, topology.HealthUp, checks["topic "+name].Status, checks["topic "+name].Error)
	}
	assert.NotContains(t, errOut, "sourceflow apply")
}

// eventsOnly publishes events and consumes nothing: its plan has topics and
// no queue, so only the account can give the topic ARNs.
func eventsOnly() sourceflow.Binding {
	return sourceflow.Binding{
		Service: "orders",
		Routes: []sourceflow.Route{
			{Type: "orders.OrderCreated", Kind: sourceflow.KindEvent, Destination: "order-events"},
		},
	}
}

// A topic whose ARN cannot be built (no queue, no account, no STS) is not
// checked, and says why; it is not reported down, and health does not
// advise creating it. Having checked nothing, health does not report up
// either: the report is skipped and health exits 2, naming --account-id,
// with which the topic is checked.
func TestHealth_ATopicWithoutAnAccountIsNotChecked(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, eventsOnly(), topology.Options{})
	_, errOut, code := fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)
	fake.noSTS = true

	out, errOut, code := fake.run(t, "health", "-f", path, "-o", "json")

	var rep healthJSON
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out+errOut)
	require.Len(t, rep.Checks, 1)
	c := rep.Checks[0]
	assert.Equal(t, topology.HealthSkipped, c.Status)
	assert.Contains(t, c.Error, "not checked")
	assert.Contains(t, c.Error, "no STS client")
	assert.Equal(t, "skipped", rep.Status)
	assert.Equal(t, cli.ExitUsage, code, errOut)
	assert.Contains(t, errOut, "1 of 1 check not run")
	assert.Contains(t, errOut, "--account-id")
	assert.NotContains(t, errOut, "sourceflow apply")

	out, errOut, code = fake.run(t, "health", "-f", path)
	assert.Equal(t, cli.ExitUsage, code, errOut)
	assert.Contains(t, out, "Service orders: skipped (1 check, 1 not run)")

	out, errOut, code = fake.run(t, "--account-id", fake.sqs.AccountID(), "health", "-f", path)
	assert.Equal(t, cli.ExitOK, code, errOut)
	assert.Regexp(t, `order-events\s+topic\s+up`, out)
	assert.Contains(t, out, "Service orders: up (1 check)")
}

// Without an account or STS, a topic is checked on the ARN built from a
// queue's: a missing topic is down (exit 1, advising apply), not skipped.
func TestHealth_AMissingTopicIsDownWhenAQueueGivesTheAccount(t *testing.T) {
	fake := newFakeAWS()
	_, errOut, code := fake.run(t, "apply", "-f", writeTopology(t, ordersBinding(), topology.Options{}))
	require.Equal(t, cli.ExitOK, code, errOut)
	b := ordersBinding()
	b.Routes = append(b.Routes, sourceflow.Route{Type: "orders.Audited", Kind: sourceflow.KindEvent, Destination: "audit-events"})
	path := writeTopology(t, b, topology.Options{})
	fake.noSTS = true

	out, errOut, code := fake.run(t, "health", "-f", path)

	assert.Regexp(t, `order-events\s+topic\s+up`, out)
	assert.Regexp(t, `audit-events\s+topic\s+down`, out)
	assert.Equal(t, cli.ExitDrift, code, errOut)
	assert.Contains(t, errOut, "sourceflow apply")
	assert.NotContains(t, errOut, "--account-id")
}

// failingSTS answers every GetCallerIdentity with err.
type failingSTS struct{ err error }

func (f failingSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return nil, f.err
}

// A service that only publishes, with no account configured, learns its
// account from STS: when STS cannot be reached either, no call reached AWS,
// and health says so rather than skipping the topic and reporting up.
func TestHealth_APublisherWithAnUnreachableSTSIsAnAWSFailure(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, eventsOnly(), topology.Options{})
	_, errOut, code := fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)
	down := errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	cfg, out, stderr := fake.config("")
	clients := cfg.Clients
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := clients(ctx)
		c.STS = failingSTS{down}
		return c, err
	}

	code = cli.Run(context.Background(), cfg, []string{"health", "-f", path})

	assert.Regexp(t, `order-events\s+topic\s+down\s+\S+\s+.*sts:GetCallerIdentity.*connection refused`, out.String())
	assert.Contains(t, out.String(), "Service orders: down")
	assert.Equal(t, cli.ExitAWS, code, out.String())
	assert.Contains(t, stderr.String(), "check the credentials")
	assert.Contains(t, stderr.String(), "connection refused")
	assert.NotContains(t, stderr.String(), "sourceflow apply")
}

// Missing queues are missing even when STS fails: SQS answered, so health
// points at apply, not at the credentials.
func TestHealth_MissingQueuesAreDriftWhenSTSFails(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	cfg, out, stderr := fake.config("")
	clients := cfg.Clients
	cfg.Clients = func(ctx context.Context) (cli.Clients, error) {
		c, err := clients(ctx)
		c.STS = failingSTS{errors.New("dial tcp 127.0.0.1:1: connect: connection refused")}
		return c, err
	}

	code := cli.Run(context.Background(), cfg, []string{"health", "-f", path})

	assert.Equal(t, cli.ExitDrift, code, out.String())
	assert.Contains(t, stderr.String(), "sourceflow apply")
}
