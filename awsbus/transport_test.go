package awsbus_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

var _ cqrs.Transport = (*awsbus.Transport)(nil)

func boundTransport(t *testing.T, cfg awsbus.Config) *awsbus.Transport {
	t.Helper()
	sq, sn := newFakes()
	cfg.WaitTime = time.Second
	cfg.ShutdownTimeout = time.Second
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(context.Background(), ordersBinding()))
	return tr
}

func TestTransport_BeforeBindAndAfterClose(t *testing.T) {
	sq, sn := newFakes()
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{})
	require.NoError(t, err)

	_, err = tr.Publisher("orders.fifo")
	require.ErrorIs(t, err, awsbus.ErrNotBound)
	_, err = tr.Subscriber("orders.fifo")
	require.ErrorIs(t, err, awsbus.ErrNotBound)

	require.NoError(t, tr.Bind(context.Background(), ordersBinding()))
	require.ErrorIs(t, tr.Bind(context.Background(), ordersBinding()), awsbus.ErrAlreadyBound, "Bind twice")
	require.NoError(t, tr.Close())
	require.NoError(t, tr.Close(), "Close is idempotent")
	_, err = tr.Publisher("orders.fifo")
	require.ErrorIs(t, err, awsbus.ErrClosed)
}

func TestTransport_InvalidConfigAndBinding(t *testing.T) {
	sq, sn := newFakes()
	_, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{MaxReceiveCount: -1})
	require.ErrorIs(t, err, awsbus.ErrInvalidConfig)

	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{})
	require.NoError(t, err)
	b := ordersBinding()
	b.Listeners[0].Types = nil
	err = tr.Bind(context.Background(), b)
	require.ErrorIs(t, err, topology.ErrNoHandler)
	assert.Empty(t, writes(sq, sn), "an invalid binding provisions nothing")
}

func TestTransport_ValidateModeFailsBindOnDrift(t *testing.T) {
	sq, sn := newFakes()
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn, STS: awsbustest.NewSTS(sq), Region: sq.Region()},
		awsbus.Config{Provisioning: topology.ProvisionValidate})
	require.NoError(t, err)

	err = tr.Bind(context.Background(), ordersBinding())

	require.ErrorIs(t, err, topology.ErrDrift)
	assert.Empty(t, writes(sq, sn))
	_, err = tr.Publisher("orders.fifo")
	require.ErrorIs(t, err, awsbus.ErrNotBound)
}

// In Validate mode a service that only publishes has no queue ARN to build
// its topics' ARNs from: without Config.AccountID or an STS client Bind
// fails naming the topic, since the service could not publish there.
func TestTransport_ValidateModeNeedsTheAccountOfAPublishOnlyService(t *testing.T) {
	sq, sn := newFakes()
	billing := publishOnlyBilling(t, sn)
	clients := awsbus.Clients{SQS: sq, SNS: sn, Region: sq.Region()}

	tr, err := awsbus.NewTransport(clients, awsbus.Config{Provisioning: topology.ProvisionValidate})
	require.NoError(t, err)
	err = tr.Bind(context.Background(), billing)
	require.ErrorIs(t, err, topology.ErrDrift)
	assert.ErrorContains(t, err, "topic billing-events: not checked: ")

	tr, err = awsbus.NewTransport(clients, awsbus.Config{Provisioning: topology.ProvisionValidate, AccountID: sq.AccountID()})
	require.NoError(t, err)
	require.NoError(t, tr.Bind(context.Background(), billing))
	_, err = tr.Publisher("billing-events")
	require.NoError(t, err)
}

// publishOnlyBilling creates the topic of a service that only publishes
// there, as its deployment made it (refusing publishing without TLS), and
// returns that service's Binding.
func publishOnlyBilling(t *testing.T, sn *awsbustest.SNS) sourceflow.Binding {
	t.Helper()
	ctx := context.Background()
	out, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("billing-events")})
	require.NoError(t, err)
	policy, _, err := topology.RequireTopicSecureTransport("", aws.ToString(out.TopicArn))
	require.NoError(t, err)
	_, err = sn.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{
		TopicArn: out.TopicArn, AttributeName: aws.String("Policy"), AttributeValue: aws.String(policy),
	})
	require.NoError(t, err)
	return sourceflow.Binding{Service: "billing", Routes: []sourceflow.Route{
		{Type: "billing.Invoiced", Kind: sourceflow.KindEvent, Destination: "billing-events"},
	}}
}

// A throttled sts:GetCallerIdentity is a failed call, not a topic left
// unchecked: Bind in Validate mode runs the provisioning again and binds,
// instead of failing on drift.
func TestTransport_ValidateModeRetriesAThrottledAccountLookup(t *testing.T) {
	sq, sn := newFakes()
	billing := publishOnlyBilling(t, sn)
	sts := &throttledOnceSTS{STS: awsbustest.NewSTS(sq)}
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn, STS: sts, Region: sq.Region()},
		awsbus.Config{Provisioning: topology.ProvisionValidate})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })

	require.NoError(t, tr.Bind(context.Background(), billing))
	assert.True(t, sts.failed.Load(), "the first lookup was throttled")
	_, err = tr.Publisher("billing-events")
	require.NoError(t, err)
}

// throttledOnceSTS throttles the first GetCallerIdentity.
type throttledOnceSTS struct {
	*awsbustest.STS
	failed atomic.Bool
}

func (s *throttledOnceSTS) GetCallerIdentity(ctx context.Context, in *awssts.GetCallerIdentityInput, opts ...func(*awssts.Options)) (*awssts.GetCallerIdentityOutput, error) {
	if s.failed.CompareAndSwap(false, true) {
		return nil, &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
	}
	return s.STS.GetCallerIdentity(ctx, in, opts...)
}

// Every destination of the Binding is carried over AWS by one shared
// publisher; the Binding alone decides the routing.
func TestTransport_DestinationsShareOneWirePublisher(t *testing.T) {
	tr := boundTransport(t, awsbus.Config{})
	var pubs []message.Publisher
	for _, d := range []string{"orders.fifo", "order-events", "payment-events"} {
		p, err := tr.Publisher(d)
		require.NoError(t, err)
		pubs = append(pubs, p)
	}
	for _, p := range pubs {
		assert.Same(t, pubs[0], p, "one shared wire publisher")
	}
	for _, d := range []string{"orders.fifo", "payment-events"} {
		_, err := tr.Subscriber(d)
		require.NoError(t, err)
	}
}

func TestTransport_UnknownAndUnlistenedDestinations(t *testing.T) {
	tr := boundTransport(t, awsbus.Config{})
	_, err := tr.Publisher("nowhere")
	require.ErrorIs(t, err, awsbus.ErrUnknownDestination)
	_, err = tr.Subscriber("order-events")
	require.ErrorIs(t, err, awsbus.ErrNotListened, "the service publishes order-events but does not consume it")
}

func TestTransport_CommandRoundTripOverFakes(t *testing.T) {
	tr := boundTransport(t, awsbus.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, err := tr.Subscriber("orders.fifo")
	require.NoError(t, err)
	msgs, err := sub.Subscribe(ctx, "orders.fifo")
	require.NoError(t, err)
	pub, err := tr.Publisher("orders.fifo")
	require.NoError(t, err)
	m := message.NewMessage("11111111-1111-4111-8111-111111111111", []byte(`{"id":"o-1"}`))
	m.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
	m.Metadata.Set(sourceflow.MetaEntityID, "o-1")
	m.Metadata.Set(sourceflow.MetaMessageID, m.UUID)

	require.NoError(t, pub.Publish("orders.fifo", m))

	select {
	case got := <-msgs:
		assert.Equal(t, `{"id":"o-1"}`, string(got.Payload))
		assert.Equal(t, "orders.CreateOrder", got.Metadata.Get(sourceflow.MetaType))
		got.Ack()
	case <-ctx.Done():
		t.Fatal("message not received")
	}
}

func TestNewTransport_ReportsEveryProblemOnceUnderErrInvalidConfig(t *testing.T) {
	sq, _ := newFakes()
	_, err := awsbus.NewTransport(awsbus.Clients{SQS: sq}, awsbus.Config{PublishLinger: time.Hour})
	require.ErrorIs(t, err, awsbus.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "Clients.SNS is required")
	assert.Contains(t, err.Error(), "PublishLinger: 1h0m0s")
	assert.Equal(t, 1, strings.Count(err.Error(), "awsbus:"), "one package prefix: %v", err)

	_, err = awsbus.NewTransport(awsbus.Clients{}, awsbus.Config{})
	require.ErrorIs(t, err, awsbus.ErrInvalidConfig, "a missing client is a configuration problem")
}
