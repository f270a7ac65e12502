//go:build integration

package integration

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

func TestAWSHealth_UpThenDownWhenAQueueIsDeleted(t *testing.T) {
	c := newRawClients(t)
	n := newTopologyNames("health")
	tr, err := awsbus.NewTransport(c.awsbus(), awsbus.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, tr.Bind(ctx, n.binding()))

	up := tr.Health(ctx)

	require.Equal(t, topology.HealthUp, up.Status, "%+v", up.Checks)
	names := map[string]topology.HealthCheck{}
	for _, c := range up.Checks {
		names[c.Name] = c
	}
	for _, want := range []string{"sqs", "sns", n.commands, topology.DLQName(n.commands), n.eventQueue(),
		topology.DLQName(n.eventQueue()), n.published, n.subscribed} {
		require.Contains(t, names, want)
		assert.Equal(t, topology.HealthUp, names[want].Status, want)
	}

	dlqURL := tr.Endpoints()[n.commands].DLQURL
	_, err = c.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(dlqURL)})
	require.NoError(t, err)

	down := tr.Health(ctx)

	assert.Equal(t, topology.HealthDown, down.Status)
	for _, c := range down.Checks {
		if c.Name == topology.DLQName(n.commands) {
			assert.Equal(t, topology.HealthDown, c.Status)
			assert.NotEmpty(t, c.Error)
			continue
		}
		assert.Equal(t, topology.HealthUp, c.Status, "only the deleted queue is down: %s %s", c.Name, c.Error)
	}
}
