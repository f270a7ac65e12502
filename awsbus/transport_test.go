package awsbus_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

var _ cqrs.Transport = (*awsbus.Transport)(nil)

// recordingLocal is a Local that records which destinations it served.
type recordingLocal struct {
	mu   sync.Mutex
	ch   *gochannel.GoChannel
	pubs []string
	subs []string
}

func newRecordingLocal() *recordingLocal {
	return &recordingLocal{ch: gochannel.NewGoChannel(gochannel.Config{}, nil)}
}

func (l *recordingLocal) Publisher(d string) (message.Publisher, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pubs = append(l.pubs, d)
	return l.ch, nil
}

func (l *recordingLocal) Subscriber(d string) (message.Subscriber, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.subs = append(l.subs, d)
	return l.ch, nil
}

func boundTransport(t *testing.T, cfg awsbus.Config) (*awsbus.Transport, *recordingLocal) {
	t.Helper()
	sq, sn := newFakes()
	local := newRecordingLocal()
	cfg.Local = local
	cfg.WaitTime = time.Second
	cfg.ShutdownTimeout = time.Second
	tr, err := awsbus.NewTransport(sq, sn, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(context.Background(), ordersBinding()))
	return tr, local
}

func TestTransport_BeforeBindAndAfterClose(t *testing.T) {
	sq, sn := newFakes()
	tr, err := awsbus.NewTransport(sq, sn, awsbus.Config{})
	require.NoError(t, err)

	_, err = tr.Publisher("orders.fifo")
	require.ErrorIs(t, err, awsbus.ErrNotBound)
	_, err = tr.Subscriber("orders.fifo")
	require.ErrorIs(t, err, awsbus.ErrNotBound)

	require.NoError(t, tr.Bind(context.Background(), ordersBinding()))
	require.Error(t, tr.Bind(context.Background(), ordersBinding()), "Bind twice")
	require.NoError(t, tr.Close())
	require.NoError(t, tr.Close(), "Close is idempotent")
	_, err = tr.Publisher("orders.fifo")
	require.ErrorIs(t, err, awsbus.ErrClosed)
}

func TestTransport_InvalidConfigAndBinding(t *testing.T) {
	sq, sn := newFakes()
	_, err := awsbus.NewTransport(sq, sn, awsbus.Config{MaxReceiveCount: -1})
	require.ErrorIs(t, err, awsbus.ErrInvalidConfig)

	tr, err := awsbus.NewTransport(sq, sn, awsbus.Config{})
	require.NoError(t, err)
	b := ordersBinding()
	b.Listeners[0].Types = nil
	err = tr.Bind(context.Background(), b)
	require.ErrorIs(t, err, awsbus.ErrNoHandler)
	assert.Empty(t, writes(sq, sn), "an invalid binding provisions nothing")
}

func TestTransport_ValidateModeFailsBindOnDrift(t *testing.T) {
	sq, sn := newFakes()
	tr, err := awsbus.NewTransport(sq, sn, awsbus.Config{Provisioning: awsbus.ProvisionValidate, AccountID: sq.AccountID(), Region: sq.Region()})
	require.NoError(t, err)

	err = tr.Bind(context.Background(), ordersBinding())

	require.ErrorIs(t, err, awsbus.ErrDrift)
	assert.Empty(t, writes(sq, sn))
	_, err = tr.Publisher("orders.fifo")
	require.ErrorIs(t, err, awsbus.ErrNotBound)
}

func TestTransport_DestinationsGoToAWSOrLocal(t *testing.T) {
	tests := []struct {
		name      string
		cfg       awsbus.Config
		localPubs []string
		localSubs []string
	}{
		{name: "all on AWS"},
		{name: "command routing disabled", cfg: awsbus.Config{DisableCommandRouting: true},
			localPubs: []string{"orders.fifo"}, localSubs: []string{"orders.fifo"}},
		{name: "event routing disabled", cfg: awsbus.Config{DisableEventRouting: true},
			localPubs: []string{"order-events"}, localSubs: []string{"payment-events"}},
		{name: "command listener disabled", cfg: awsbus.Config{DisableCommandListener: true},
			localSubs: []string{"orders.fifo"}},
		{name: "event listener disabled", cfg: awsbus.Config{DisableEventListener: true},
			localSubs: []string{"payment-events"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, local := boundTransport(t, tt.cfg)
			var wirePubs []message.Publisher
			for _, d := range []string{"orders.fifo", "order-events"} {
				p, err := tr.Publisher(d)
				require.NoError(t, err)
				if p != message.Publisher(local.ch) {
					wirePubs = append(wirePubs, p)
				}
			}
			for _, d := range []string{"orders.fifo", "payment-events"} {
				_, err := tr.Subscriber(d)
				require.NoError(t, err)
			}
			assert.Equal(t, tt.localPubs, local.pubs)
			assert.Equal(t, tt.localSubs, local.subs)
			for _, p := range wirePubs {
				assert.Same(t, wirePubs[0], p, "one shared wire publisher")
			}
		})
	}
}

func TestTransport_UnknownAndUnlistenedDestinations(t *testing.T) {
	tr, _ := boundTransport(t, awsbus.Config{})
	_, err := tr.Publisher("nowhere")
	require.ErrorIs(t, err, awsbus.ErrUnknownDestination)
	_, err = tr.Subscriber("order-events")
	require.ErrorIs(t, err, awsbus.ErrNotListened, "the service publishes order-events but does not consume it")
}

func TestTransport_CommandRoundTripOverFakes(t *testing.T) {
	tr, _ := boundTransport(t, awsbus.Config{})
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

func TestLoadAWSConfig_AppliesRegionAndEndpoint(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ENDPOINT_URL", "http://from-env:4566")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")

	fromEnv, err := awsbus.LoadAWSConfig(context.Background(), awsbus.Config{})
	require.NoError(t, err)
	assert.Equal(t, "eu-west-1", fromEnv.Region)
	assert.Equal(t, "http://from-env:4566", aws.ToString(fromEnv.BaseEndpoint))

	overridden, err := awsbus.LoadAWSConfig(context.Background(),
		awsbus.Config{Region: "ap-south-1", Endpoint: "http://override:4566"})
	require.NoError(t, err)
	assert.Equal(t, "ap-south-1", overridden.Region)
	assert.Equal(t, "http://override:4566", aws.ToString(overridden.BaseEndpoint))
}
