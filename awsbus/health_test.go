package awsbus_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

func healthTransport(t *testing.T, cfg awsbus.Config) (*awsbus.Transport, *awsbustest.SQS, *awsbustest.SNS) {
	t.Helper()
	sq, sn := newFakes()
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(context.Background(), ordersBinding()))
	return tr, sq, sn
}

func checksByName(r awsbus.HealthReport) map[string]topology.HealthCheck {
	m := map[string]topology.HealthCheck{}
	for _, c := range r.Checks {
		m[c.Name] = c
	}
	return m
}

func TestTransport_HealthUp(t *testing.T) {
	tr, _, _ := healthTransport(t, awsbus.Config{})

	rep := tr.Health(context.Background())

	assert.Equal(t, topology.HealthUp, rep.Status)
	checks := checksByName(rep)
	for name, kind := range map[string]string{
		"sqs": "service", "sns": "service",
		"orders.fifo": "queue", "orders-dlq.fifo": "dlq",
		"orders-payment-events": "queue", "orders-payment-events-dlq": "dlq",
		"order-events": "topic", "payment-events": "topic",
	} {
		c, ok := checks[name]
		require.True(t, ok, "missing check %s", name)
		assert.Equal(t, kind, c.Kind, name)
		assert.Equal(t, topology.HealthUp, c.Status, name)
		assert.Empty(t, c.Error, name)
		assert.Positive(t, c.Latency, name)
	}
	assert.NotContains(t, checks, "kms", "no KMS check without encryption")
}

func TestTransport_HealthDown(t *testing.T) {
	t.Run("a queue is gone", func(t *testing.T) {
		tr, sq, _ := healthTransport(t, awsbus.Config{})
		sq.FailNext("GetQueueAttributes", 1, &sqstypes.QueueDoesNotExist{Message: aws.String("gone")})

		rep := tr.Health(context.Background())

		assert.Equal(t, topology.HealthDown, rep.Status)
		var down []topology.HealthCheck
		for _, c := range rep.Checks {
			if c.Status == topology.HealthDown {
				down = append(down, c)
			}
		}
		require.Len(t, down, 1)
		assert.Contains(t, []string{"queue", "dlq"}, down[0].Kind)
		assert.Contains(t, down[0].Error, "gone")
	})
	t.Run("SQS unreachable", func(t *testing.T) {
		tr, sq, _ := healthTransport(t, awsbus.Config{})
		sq.FailNext("GetQueueUrl", 1, errors.New("dial tcp: connection refused"))

		rep := tr.Health(context.Background())

		assert.Equal(t, topology.HealthDown, rep.Status)
		assert.Equal(t, topology.HealthDown, checksByName(rep)["sqs"].Status)
	})
	t.Run("SNS unreachable", func(t *testing.T) {
		tr, _, sn := healthTransport(t, awsbus.Config{})
		sn.FailNext("GetTopicAttributes", 10, errors.New("dial tcp: connection refused"))

		rep := tr.Health(context.Background())

		assert.Equal(t, topology.HealthDown, rep.Status)
		assert.Equal(t, topology.HealthDown, checksByName(rep)["sns"].Status)
	})
	t.Run("not bound", func(t *testing.T) {
		sq, sn := newFakes()
		tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{})
		require.NoError(t, err)

		rep := tr.Health(context.Background())

		assert.Equal(t, topology.HealthDown, rep.Status)
		assert.Contains(t, checksByName(rep)["transport"].Error, "not bound")
	})
}

// A service that answers "not found" is reachable: its probe passes, and
// only the resource's own check is down.
func TestTransport_HealthServiceAnswersMissing(t *testing.T) {
	t.Run("SQS", func(t *testing.T) {
		tr, sq, _ := healthTransport(t, awsbus.Config{})
		sq.FailNext("GetQueueUrl", 100, &sqstypes.QueueDoesNotExist{Message: aws.String("gone")})
		before := sq.Calls("GetQueueUrl")

		rep := tr.Health(context.Background())

		require.Greater(t, sq.Calls("GetQueueUrl"), before, "the probe asked SQS")
		assert.Equal(t, topology.HealthUp, checksByName(rep)["sqs"].Status)
	})
	t.Run("SNS", func(t *testing.T) {
		tr, _, sn := healthTransport(t, awsbus.Config{})
		sn.FailNext("GetTopicAttributes", 10, &snstypes.NotFoundException{Message: aws.String("gone")})

		rep := tr.Health(context.Background())

		checks := checksByName(rep)
		assert.Equal(t, topology.HealthUp, checks["sns"].Status)
		assert.Equal(t, topology.HealthDown, checks["order-events"].Status)
		assert.Equal(t, topology.HealthDown, rep.Status)
	})
}

func TestHealthHandler(t *testing.T) {
	tr, sq, _ := healthTransport(t, awsbus.Config{})
	// a handler per request: each runs its own round of checks
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		awsbus.HealthHandler(tr).ServeHTTP(w, r)
	}))
	defer srv.Close()
	get := func() (int, awsbus.HealthReport) {
		res, err := http.Get(srv.URL)
		require.NoError(t, err)
		defer res.Body.Close()
		assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
		var rep awsbus.HealthReport
		require.NoError(t, json.NewDecoder(res.Body).Decode(&rep))
		return res.StatusCode, rep
	}

	code, rep := get()
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, topology.HealthUp, rep.Status)
	assert.NotEmpty(t, rep.Checks)

	sq.FailNext("GetQueueAttributes", 1, &sqstypes.QueueDoesNotExist{Message: aws.String("gone")})
	code, rep = get()
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, topology.HealthDown, rep.Status)
}
