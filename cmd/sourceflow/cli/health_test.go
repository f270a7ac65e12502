package cli_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

type healthJSON struct {
	Service string                 `json:"service"`
	Status  string                 `json:"status"`
	Checks  []topology.HealthCheck `json:"checks"`
}

func TestHealth_PrintsATableAndExitsByStatus(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})

	out, errOut, code := fake.run(t, "health", "-f", path)
	assert.Equal(t, cli.ExitDrift, code, "nothing exists: down")
	assert.Regexp(t, `orders-dlq\.fifo\s+dlq\s+down\s+\S+\s+missing\n`, out)
	assert.Contains(t, out, "Service orders: down (9 checks)")
	assert.Contains(t, errOut, "9 of 9 checks down")

	_, _, code = fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code)
	out, errOut, code = fake.run(t, "health", "-f", path)
	assert.Equal(t, cli.ExitOK, code, errOut)
	assert.Regexp(t, `NAME\s+KIND\s+STATUS\s+LATENCY\s+ERROR`, out)
	assert.Regexp(t, `orders-dlq\.fifo\s+dlq\s+up`, out)
	assert.Regexp(t, `payment-events\s+topic\s+up`, out)
	assert.Contains(t, out, "Service orders: up (9 checks)")
}

func TestHealth_PrintsJSON(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	_, _, code := fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code)

	out, errOut, code := fake.run(t, "health", "-f", path, "--output", "json")

	assert.Equal(t, cli.ExitOK, code, errOut)
	var rep healthJSON
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	assert.Equal(t, "orders", rep.Service)
	assert.Equal(t, "up", rep.Status)
	require.Len(t, rep.Checks, 9)
	kinds := map[string]int{}
	for _, c := range rep.Checks {
		kinds[c.Kind]++
		assert.Equal(t, topology.HealthUp, c.Status, c.Name)
	}
	assert.Equal(t, map[string]int{"queue": 4, "dlq": 3, "topic": 2}, kinds)
}

func TestHealth_ReportsAFailingCheckInJSON(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	_, _, code := fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code)
	// Validate stops at its first failed topic read; both topic probes fail.
	fake.sns.FailNext("GetTopicAttributes", 3, nil)

	out, _, code := fake.run(t, "health", "-f", path, "-o", "json")

	assert.Equal(t, cli.ExitDrift, code)
	var rep healthJSON
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	assert.Equal(t, "down", rep.Status)
	down := 0
	for _, c := range rep.Checks {
		if c.Status == topology.HealthDown {
			down++
			assert.Equal(t, "topic", c.Kind)
			assert.Contains(t, c.Error, "injected failure")
		}
	}
	assert.Equal(t, 2, down)
}

// When no call reaches AWS, health says so and points at the credentials,
// the region and the endpoint, not at missing resources; also when the
// topics' ARNs cannot be built (no account known), so their checks are
// skipped rather than down.
func TestHealth_AnUnreachableEndpointIsAnAWSFailure(t *testing.T) {
	for _, noSTS := range []bool{false, true} {
		t.Run(fmt.Sprintf("noSTS=%v", noSTS), func(t *testing.T) {
			fake := newFakeAWS()
			path := writeTopology(t, ordersBinding(), topology.Options{})
			_, errOut, code := fake.run(t, "apply", "-f", path)
			require.Equal(t, cli.ExitOK, code, errOut)
			fake.noSTS = noSTS
			down := errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
			for _, op := range []string{"GetQueueUrl", "GetQueueAttributes", "ListQueueTags"} {
				fake.sqs.FailNext(op, 1000, down)
			}
			for _, op := range []string{"GetTopicAttributes", "ListSubscriptionsByTopic", "ListTagsForResource"} {
				fake.sns.FailNext(op, 1000, down)
			}

			out, errOut, code := fake.run(t, "health", "-f", path)

			assert.Equal(t, cli.ExitAWS, code, out)
			assert.Contains(t, errOut, "check the credentials")
			assert.NotContains(t, errOut, "sourceflow apply")
		})
	}
}
