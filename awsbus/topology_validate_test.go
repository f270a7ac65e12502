package awsbus_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

func TestTopology_ValidateReportsEverythingMissingAndWritesNothing(t *testing.T) {
	sq, sn := newFakes()
	topo, err := awsbus.NewTopology(sq, sn, awsbus.Config{AccountID: sq.AccountID(), Region: sq.Region()})
	require.NoError(t, err)
	p, err := topo.Plan(ordersBinding())
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
	cfg := awsbus.Config{Provisioning: awsbus.ProvisionValidate, AccountID: sq.AccountID(), Region: sq.Region()}
	topo, err := awsbus.NewTopology(sq, sn, cfg)
	require.NoError(t, err)
	p, err := topo.Plan(ordersBinding())
	require.NoError(t, err)

	rep, _, err := topo.Validate(ctx, p)

	require.NoError(t, err)
	got := driftStrings(rep)
	assert.Contains(t, got, "queue orders.fifo: missing")
	assert.Contains(t, got, "queue orders-dlq.fifo: MessageRetentionPeriod is 60, want 1209600")
	assert.NotContains(t, got, "queue orders-dlq.fifo: missing (dead-letter queue of orders.fifo)")
	assert.Contains(t, got, "queue orders-payment-events-dlq: missing (dead-letter queue of orders-payment-events)")
}

func driftStrings(r awsbus.DriftReport) []string {
	out := make([]string, len(r.Drifts))
	for i, d := range r.Drifts {
		out[i] = d.String()
	}
	return out
}

func TestTopology_ValidateFindsDrift(t *testing.T) {
	sq, sn := newFakes()
	eps, _ := create(t, sq, sn, awsbus.Config{})
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
	topo, err := awsbus.NewTopology(sq, sn, awsbus.Config{Provisioning: awsbus.ProvisionValidate})
	require.NoError(t, err)
	p, err := topo.Plan(ordersBinding())
	require.NoError(t, err)

	_, err = topo.Apply(ctx, p)

	var drift *awsbus.DriftError
	require.ErrorAs(t, err, &drift)
	require.ErrorIs(t, err, awsbus.ErrDrift)
	got := driftStrings(drift.Report)
	require.Len(t, got, 4, got)
	assert.Contains(t, got[0], "queue orders.fifo: RedrivePolicy is")
	assert.Contains(t, got[0], `"maxReceiveCount":5`)
	assert.Contains(t, got[1], "policy orders-payment-events: no statement lets topic "+eps["payment-events"].TopicARN)
	assert.Contains(t, got[2], "FilterPolicy differs")
	assert.Contains(t, got[3], "RawMessageDelivery differs")
	assert.Equal(t, before, writes(sq, sn), "validate writes nothing")
}

func TestTopology_ValidateAcceptsWhatCreateMade(t *testing.T) {
	sq, sn := newFakes()
	created, p := create(t, sq, sn, awsbus.Config{})
	topo, err := awsbus.NewTopology(sq, sn, awsbus.Config{Provisioning: awsbus.ProvisionValidate})
	require.NoError(t, err)

	eps, err := topo.Apply(context.Background(), p)

	require.NoError(t, err)
	assert.Equal(t, created, eps)
}

func TestTopology_Assume(t *testing.T) {
	t.Run("resolves what exists without writing", func(t *testing.T) {
		sq, sn := newFakes()
		created, p := create(t, sq, sn, awsbus.Config{})
		before := writes(sq, sn)
		topo, err := awsbus.NewTopology(sq, sn, awsbus.Config{Provisioning: awsbus.ProvisionAssume})
		require.NoError(t, err)

		eps, err := topo.Apply(context.Background(), p)

		require.NoError(t, err)
		assert.Equal(t, created, eps)
		assert.Equal(t, before, writes(sq, sn))
	})
	t.Run("missing queue", func(t *testing.T) {
		sq, sn := newFakes()
		topo, err := awsbus.NewTopology(sq, sn, awsbus.Config{Provisioning: awsbus.ProvisionAssume})
		require.NoError(t, err)
		p, err := topo.Plan(ordersBinding())
		require.NoError(t, err)

		_, err = topo.Apply(context.Background(), p)

		require.ErrorIs(t, err, awsbus.ErrNotFound)
		assert.Empty(t, writes(sq, sn))
	})
	t.Run("topic without any queue needs the account", func(t *testing.T) {
		sq, sn := newFakes()
		_, err := sn.CreateTopic(context.Background(), &sns.CreateTopicInput{Name: aws.String("order-events")})
		require.NoError(t, err)
		cfg := awsbus.Config{Provisioning: awsbus.ProvisionAssume, Events: []awsbus.EventRoute{{Type: "o.E", Topic: "order-events"}}}
		topo, err := awsbus.NewTopology(sq, sn, cfg)
		require.NoError(t, err)
		p, err := topo.Plan(ordersBindingless())
		require.NoError(t, err)

		_, err = topo.Apply(context.Background(), p)
		require.ErrorIs(t, err, awsbus.ErrInvalidConfig)

		cfg.AccountID, cfg.Region = sq.AccountID(), sq.Region()
		topo, err = awsbus.NewTopology(sq, sn, cfg)
		require.NoError(t, err)
		eps, err := topo.Apply(context.Background(), p)
		require.NoError(t, err)
		assert.Equal(t, "arn:aws:sns:"+sq.Region()+":"+sq.AccountID()+":order-events", eps["order-events"].TopicARN)
	})
}

func TestTopology_ApiFailureIsNotDrift(t *testing.T) {
	sq, sn := newFakes()
	_, p := create(t, sq, sn, awsbus.Config{})
	sq.FailNext("GetQueueAttributes", 1, nil)
	topo, err := awsbus.NewTopology(sq, sn, awsbus.Config{Provisioning: awsbus.ProvisionValidate})
	require.NoError(t, err)

	_, err = topo.Apply(context.Background(), p)

	require.Error(t, err)
	assert.False(t, errors.Is(err, awsbus.ErrDrift))
}
