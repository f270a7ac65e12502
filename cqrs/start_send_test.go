package cqrs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A handler that runs while its service is still starting (a backlog on the
// destination subscribed first, while another subscription is slow) and
// sends waits for the Start: once it started, the send goes out, so the
// message is not failed (with MaxDeliveries 1, dead-lettered).
func TestAHandlerThatSendsWhileItsServiceStartsSendsOnceItStarted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rig := newPubSubRig(t)
		release := make(chan struct{})
		var calls atomic.Int64
		tr := rig.transport(t, cqrs.PubSubConfig{
			MaxDeliveries: 1,
			Subscriber: func(string, string) (message.Subscriber, error) {
				return stallAfterFirst{stallingSubscriber{gochannelSubscriber{rig.gc}, release}, &calls}, nil
			},
		})
		for dest, typ := range map[string]string{"orders": "orders.CreateOrder", "payments": "payments.ProcessPayment"} {
			require.NoError(t, rig.Publish(dest, rawCommand(typ, "o-1", `{"Amount":1}`)))
		}
		handled := make(chan error, 2)
		svc := billingService(t, tr, func(h message.HandlerFunc) message.HandlerFunc {
			return func(msg *message.Message) ([]*message.Message, error) {
				out, err := h(msg)
				handled <- err
				return out, err
			}
		})
		started := make(chan error, 1)
		go func() { started <- svc.Start(context.Background()) }()
		synctest.Wait() // the first subscription's handler runs; the other subscribe stalls
		close(release)
		require.NoError(t, <-started)
		t.Cleanup(func() { require.NoError(t, svc.Close()) })
		require.NoError(t, <-handled, "the handler delivered while its service started sends once it started")
	})
}

// A send from outside a handler while the service starts waits for the
// Start and goes out once it started, as it did when sends waited for the
// Start's lock.
func TestASendWhileTheServiceStartsGoesOutOnceItStarted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rig := newPubSubRig(t)
		release := make(chan struct{})
		tr := rig.transport(t, cqrs.PubSubConfig{
			Subscriber: func(string, string) (message.Subscriber, error) {
				return stallingSubscriber{gochannelSubscriber{rig.gc}, release}, nil
			},
		})
		sendWhileStarting(t, billingService(t, tr, func(h message.HandlerFunc) message.HandlerFunc { return h }), release)
	})
}

// billingService listens to orders and payments with a saga raising events
// for both, its handlers wrapped in mw.
func billingService(t *testing.T, tr cqrs.Transport, mw message.HandlerMiddleware) *cqrs.Service {
	t.Helper()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "billing", Transport: tr, Listen: []string{"orders", "payments"},
		HandlerMiddleware: []message.HandlerMiddleware{mw}})
	require.NoError(t, err)
	registerOrderTypes(t, svc)
	saga := cqrs.NewSaga[Order](svc, "order")
	require.NoError(t, errors.Join(cqrs.Handle(saga, createOrder), cqrs.Handle(saga, processPayment)))
	return svc
}

// slowBind is a transport whose Bind waits until released, as a Bind that
// provisions resources takes a while.
type slowBind struct {
	cqrs.Transport
	released <-chan struct{}
}

func (s slowBind) Bind(ctx context.Context, b sourceflow.Binding) error {
	<-s.released
	return s.Transport.Bind(ctx, b)
}

// A send while the Start binds the transport waits for the Start, like one
// while it subscribes.
func TestASendWhileTheStartBindsGoesOutOnceItStarted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		sendWhileStarting(t, billingService(t, slowBind{newTransport(t), release}, func(h message.HandlerFunc) message.HandlerFunc { return h }), release)
	})
}

// sendWhileStarting starts svc, which waits until release is closed, sends
// a command meanwhile, and checks that the send went out once the Start
// ended. It runs in a synctest bubble.
func sendWhileStarting(t *testing.T, svc *cqrs.Service, release chan struct{}) {
	t.Helper()
	started := make(chan error, 1)
	go func() { started <- svc.Start(context.Background()) }()
	synctest.Wait() // the Start waits for release
	sent := make(chan error, 1)
	go func() {
		_, err := svc.CommandBus().Send(context.Background(), "o-1", CreateOrder{Amount: 1})
		sent <- err
	}()
	synctest.Wait()
	close(release)
	require.NoError(t, <-started)
	t.Cleanup(func() { require.NoError(t, svc.Close()) })
	require.NoError(t, <-sent, "the send waits for the Start")
}

// A Replay while the Start binds the transport waits for the Start, as a
// send does, instead of failing with ErrNotStarted.
func TestAReplayWhileTheServiceStartsRunsOnceItStarted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		svc := billingService(t, slowBind{newTransport(t), release}, func(h message.HandlerFunc) message.HandlerFunc { return h })
		started := make(chan error, 1)
		go func() { started <- svc.Start(context.Background()) }()
		synctest.Wait() // the Start waits for release
		replayed := make(chan error, 1)
		go func() {
			_, err := svc.Replay(context.Background(), "o-1")
			replayed <- err
		}()
		synctest.Wait()
		select {
		case err := <-replayed:
			t.Fatalf("the replay ended before the Start did: %v", err)
		default:
		}
		close(release)
		require.NoError(t, <-started)
		t.Cleanup(func() { require.NoError(t, svc.Close()) })
		require.NoError(t, <-replayed, "the replay waits for the Start")
	})
}
