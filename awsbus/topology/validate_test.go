package topology_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

func TestTopology_ValidateReportsEverythingMissingAndWritesNothing(t *testing.T) {
	sq, sn := newFakes()
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{AccountID: sq.AccountID(), Region: sq.Region()})
	require.NoError(t, err)
	p, err := topology.New(ordersBinding(), topology.Options{})
	require.NoError(t, err)

	rep, _, err := topo.Validate(context.Background(), p)

	require.NoError(t, err)
	assert.ElementsMatch(t, []string{
		"queue orders-payment-events: missing",
		"queue orders-payment-events-dlq: missing (dead-letter queue of orders-payment-events)",
		"queue orders.fifo: missing",
		"queue orders-dlq.fifo: missing (dead-letter queue of orders.fifo)",
		"topic order-events: missing",
		"topic payment-events: missing",
		"subscription payment-events -> orders-payment-events: missing (topic or queue missing)",
	}, driftStrings(rep))
	assert.Empty(t, writes(sq, sn))
}

// A missing queue whose dead-letter queue exists is reported missing, its
// dead-letter queue not, but that queue's own drift is still checked.
func TestTopology_ValidateChecksTheDLQOfAMissingQueue(t *testing.T) {
	sq, sn := newFakes()
	ctx := context.Background()
	_, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders-dlq.fifo"), Attributes: map[string]string{
		"FifoQueue": "true", "ContentBasedDeduplication": "true", "MessageRetentionPeriod": "60",
	}})
	require.NoError(t, err)
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{AccountID: sq.AccountID(), Region: sq.Region()})
	require.NoError(t, err)
	p, err := topology.New(ordersBinding(), topology.Options{})
	require.NoError(t, err)

	rep, _, err := topo.Validate(ctx, p)

	require.NoError(t, err)
	got := driftStrings(rep)
	assert.Contains(t, got, "queue orders.fifo: missing")
	assert.Contains(t, got, "queue orders-dlq.fifo: MessageRetentionPeriod is 60, want 1209600")
	assert.NotContains(t, got, "queue orders-dlq.fifo: missing (dead-letter queue of orders.fifo)")
	assert.Contains(t, got, "queue orders-payment-events-dlq: missing (dead-letter queue of orders-payment-events)")
}

// An existing queue whose dead-letter queue is missing reports the missing
// dead-letter queue only: its redrive policy has no target to compare with,
// so no RedrivePolicy difference is reported beside it.
func TestTopology_ValidateMissingDLQIsTheOnlyDrift(t *testing.T) {
	sq, sn := newFakes()
	_, p := create(t, sq, sn, topology.Options{})
	ctx := context.Background()
	_, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("lonely.fifo"), Attributes: map[string]string{
		"FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "30", "ReceiveMessageWaitTimeSeconds": "20",
	}})
	require.NoError(t, err)
	tls, _, err := topology.RequireSecureTransport("", sq.QueueARN("lonely.fifo"))
	require.NoError(t, err)
	_, err = sq.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl: aws.String(sq.QueueURL("lonely.fifo")), Attributes: map[string]string{"Policy": tls},
	})
	require.NoError(t, err)
	p.Queues = append(p.Queues, topology.Queue{
		Name: "lonely.fifo", FIFO: true, Owned: true, DLQ: "lonely-dlq.fifo", MaxReceiveCount: 5,
		Attributes:    map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "30", "ReceiveMessageWaitTimeSeconds": "20"},
		DLQAttributes: map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "MessageRetentionPeriod": "1209600"},
	})
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)

	rep, _, err := topo.Validate(ctx, p)

	require.NoError(t, err)
	assert.Equal(t, []string{"queue lonely-dlq.fifo: missing (dead-letter queue of lonely.fifo)"}, driftStrings(rep))
}

func driftStrings(r topology.DriftReport) []string {
	out := make([]string, len(r.Drifts))
	for i, d := range r.Drifts {
		out[i] = d.String()
	}
	return out
}

func TestTopology_ValidateFindsDrift(t *testing.T) {
	sq, sn := newFakes()
	eps, _ := create(t, sq, sn, topology.Options{})
	ctx := context.Background()
	dlqARN := queueAttrs(t, sq, eps["orders.fifo"].DLQURL)["QueueArn"]
	_, err := sq.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl:   aws.String(eps["orders.fifo"].QueueURL),
		Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":9}`},
	})
	require.NoError(t, err)
	_, err = sq.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl: aws.String(eps["payment-events"].QueueURL), Attributes: map[string]string{"Policy": foreign},
	})
	require.NoError(t, err)
	subARN := firstSubscription(t, sn, eps["payment-events"].TopicARN)
	for k, v := range map[string]string{"RawMessageDelivery": "false", "FilterPolicy": `{"sf_type":["other"]}`} {
		_, err = sn.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{
			SubscriptionArn: aws.String(subARN), AttributeName: aws.String(k), AttributeValue: aws.String(v),
		})
		require.NoError(t, err)
	}
	before := writes(sq, sn)
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)
	p, err := topology.New(ordersBinding(), topology.Options{})
	require.NoError(t, err)

	_, err = topo.Apply(ctx, topology.ProvisionValidate, p)

	var drift *topology.DriftError
	require.ErrorAs(t, err, &drift)
	require.ErrorIs(t, err, topology.ErrDrift)
	got := driftStrings(drift.Report)
	require.Len(t, got, 5, got)
	assert.Contains(t, got[0], "queue orders-payment-events: Policy does not refuse requests without TLS", "the foreign policy replaced it")
	assert.Contains(t, got[1], "queue orders.fifo: RedrivePolicy is")
	assert.Contains(t, got[1], `"maxReceiveCount":8`)
	assert.Contains(t, got[2], "policy orders-payment-events: no statement lets topic "+eps["payment-events"].TopicARN)
	assert.Contains(t, got[3], "FilterPolicy differs")
	assert.Contains(t, got[4], "RawMessageDelivery differs")
	assert.Equal(t, before, writes(sq, sn), "validate writes nothing")
}

func TestTopology_ValidateAcceptsWhatCreateMade(t *testing.T) {
	sq, sn := newFakes()
	created, p := create(t, sq, sn, topology.Options{})
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)

	eps, err := topo.Apply(context.Background(), topology.ProvisionValidate, p)

	require.NoError(t, err)
	assert.Equal(t, created, eps)
}

func TestTopology_Assume(t *testing.T) {
	t.Run("resolves what exists without writing", func(t *testing.T) {
		sq, sn := newFakes()
		created, p := create(t, sq, sn, topology.Options{})
		before := writes(sq, sn)
		topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
		require.NoError(t, err)

		eps, err := topo.Apply(context.Background(), topology.ProvisionAssume, p)

		require.NoError(t, err)
		assert.Equal(t, created, eps)
		assert.Equal(t, before, writes(sq, sn))
	})
	t.Run("missing queue", func(t *testing.T) {
		sq, sn := newFakes()
		topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
		require.NoError(t, err)
		p, err := topology.New(ordersBinding(), topology.Options{})
		require.NoError(t, err)

		_, err = topo.Apply(context.Background(), topology.ProvisionAssume, p)

		require.ErrorIs(t, err, topology.ErrNotFound)
		assert.Empty(t, writes(sq, sn))
	})
	t.Run("topic without any queue: account from AccountID or STS", func(t *testing.T) {
		sq, sn := newFakes()
		_, err := sn.CreateTopic(context.Background(), &sns.CreateTopicInput{Name: aws.String("order-events")})
		require.NoError(t, err)
		p, err := topology.New(sourceflow.Binding{Service: "orders", Routes: []sourceflow.Route{
			{Type: "o.E", Kind: sourceflow.KindEvent, Destination: "order-events"},
		}}, topology.Options{})
		require.NoError(t, err)
		want := "arn:aws:sns:" + sq.Region() + ":" + sq.AccountID() + ":order-events"

		topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{Region: sq.Region()})
		require.NoError(t, err)
		_, err = topo.Apply(context.Background(), topology.ProvisionAssume, p)
		require.ErrorContains(t, err, "no STS client")

		sts := awsbustest.NewSTS(sq)
		for _, cfg := range []topology.ProvisionerConfig{
			{Region: sq.Region(), AccountID: sq.AccountID()}, {Region: sq.Region(), STS: sts},
		} {
			topo, err = newProvisioner(sq, sn, cfg)
			require.NoError(t, err)
			eps, err := topo.Apply(context.Background(), topology.ProvisionAssume, p)
			require.NoError(t, err)
			assert.Equal(t, want, eps["order-events"].TopicARN)
		}
		assert.EqualValues(t, 1, sts.Calls(), "STS is asked only without AccountID")
	})
}

// With no queue in place and no way to find the account, Validate still
// reports every missing queue and dead-letter queue as drift, and the topics
// as not checked, instead of failing.
func TestTopology_ValidateWithoutAccountReportsDrift(t *testing.T) {
	sq, sn := newFakes()
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{Region: sq.Region()})
	require.NoError(t, err)
	p, err := topology.New(ordersBinding(), topology.Options{})
	require.NoError(t, err)

	_, err = topo.Apply(context.Background(), topology.ProvisionValidate, p)

	var drift *topology.DriftError
	require.ErrorAs(t, err, &drift)
	got := driftStrings(drift.Report)
	for _, want := range []string{
		"queue orders.fifo: missing",
		"queue orders-dlq.fifo: missing (dead-letter queue of orders.fifo)",
		"queue orders-payment-events: missing",
		"queue orders-payment-events-dlq: missing (dead-letter queue of orders-payment-events)",
	} {
		assert.Contains(t, got, want)
	}
	assert.Contains(t, drift.Error(), "topic order-events: not checked")
	assert.Empty(t, writes(sq, sn))
}

// A failed sts:GetCallerIdentity fails Validate with the call's error, as
// any failed call does: the topics are not reported as drift.
func TestTopology_ValidateFailsWhenSTSFails(t *testing.T) {
	sq, sn := newFakes()
	refused := errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{Region: sq.Region(), STS: failingSTS{refused}})
	require.NoError(t, err)
	p, err := topology.New(ordersBinding(), topology.Options{})
	require.NoError(t, err)

	_, _, err = topo.Validate(context.Background(), p)

	require.ErrorIs(t, err, refused)
	assert.ErrorContains(t, err, "sts:GetCallerIdentity")
	assert.NotErrorIs(t, err, topology.ErrDrift)
}

func TestTopology_ApiFailureIsNotDrift(t *testing.T) {
	sq, sn := newFakes()
	_, p := create(t, sq, sn, topology.Options{})
	sq.FailNext("GetQueueAttributes", 1, nil)
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)

	_, err = topo.Apply(context.Background(), topology.ProvisionValidate, p)

	require.Error(t, err)
	assert.False(t, errors.Is(err, topology.ErrDrift))
}

// Endpoints carry the maxReceiveCount Create set, and the one Validate and
// Assume read from AWS.
func TestProvisioner_EndpointsCarryMaxReceiveCount(t *testing.T) {
	sq, sn := newFakes()
	created, p := create(t, sq, sn, topology.Options{MaxReceiveCount: 7})
	assert.Equal(t, 7, created["orders.fifo"].MaxReceiveCount)
	assert.Equal(t, 7, created["payment-events"].MaxReceiveCount)
	assert.Equal(t, 0, created["order-events"].MaxReceiveCount, "published only: no queue")
	dlqARN := queueAttrs(t, sq, created["orders.fifo"].DLQURL)["QueueArn"]
	_, err := sq.SetQueueAttributes(context.Background(), &sqs.SetQueueAttributesInput{
		QueueUrl:   aws.String(created["orders.fifo"].QueueURL),
		Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"9"}`},
	})
	require.NoError(t, err)

	for _, mode := range []topology.Provisioning{topology.ProvisionValidate, topology.ProvisionAssume} {
		topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
		require.NoError(t, err)
		var eps topology.Endpoints
		if mode == topology.ProvisionValidate {
			_, eps, err = topo.Validate(context.Background(), p)
		} else {
			eps, err = topo.Assume(context.Background(), p)
		}
		require.NoError(t, err, mode)
		assert.Equal(t, 9, eps["orders.fifo"].MaxReceiveCount, "%s reads the queue's redrive policy", mode)
		assert.Equal(t, 7, eps["payment-events"].MaxReceiveCount, mode)
	}
}
