package cqrs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// slowClosing stands for a subscriber whose Close waits for something
// under way (awsbus's long poll) until released.
type slowClosing struct {
	message.Subscriber
	released <-chan struct{}
	closed   *atomic.Int64
}

func (s slowClosing) Close() error {
	<-s.released
	s.closed.Add(1)
	return s.Subscriber.Close()
}

// A Start that fails once it subscribed returns when its context ends,
// though closing its subscribers takes longer: their closes go on after it
// returned, and each ends; a Start retried meanwhile waits for them (up to
// its own context) before it subscribes. So whether a subscribe did not
// answer within the context or one failed.
func TestAFailedStartWaitsForItsSubscribersClosesOnlyUntilItsContextEnds(t *testing.T) {
	for name, subscriber := range map[string]func(*pubsubRig, <-chan struct{}, *atomic.Int64) message.Subscriber{
		"subscribe unanswered": func(rig *pubsubRig, release <-chan struct{}, calls *atomic.Int64) message.Subscriber {
			return stallAfterFirst{stallingSubscriber{gochannelSubscriber{rig.gc}, release}, calls}
		},
		"subscribe failed": func(rig *pubsubRig, _ <-chan struct{}, calls *atomic.Int64) message.Subscriber {
			return failAfterFirst{gochannelSubscriber{rig.gc}, calls}
		},
	} {
		t.Run(name, func(t *testing.T) {
			rig := newPubSubRig(t)
			release := make(chan struct{})
			var once sync.Once
			t.Cleanup(func() { once.Do(func() { close(release) }) })
			var calls, made, closed atomic.Int64
			tr := rig.transport(t, cqrs.PubSubConfig{
				Subscriber: func(string, string) (message.Subscriber, error) {
					made.Add(1)
					return slowClosing{subscriber(rig, release, &calls), release, &closed}, nil
				},
			})
			svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "billing", Transport: tr, Listen: []string{"orders", "payments"}})
			require.NoError(t, err)
			registerOrderTypes(t, svc)
			saga := cqrs.NewSaga[Order](svc, "order")
			require.NoError(t, errors.Join(cqrs.Handle(saga, createOrder), cqrs.Handle(saga, processPayment)))

			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			started := make(chan error, 1)
			go func() { started <- svc.Start(ctx) }()
			select {
			case err := <-started:
				assert.Error(t, err)
			case <-time.After(30 * time.Second):
				assert.Fail(t, "the failed Start waited for its subscribers' closes past its context")
			}
			retry, cancelRetry := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancelRetry()
			subscribes := calls.Load()
			err = svc.Start(retry)
			require.ErrorIs(t, err, context.DeadlineExceeded, "a retried Start waits for the closes")
			assert.ErrorContains(t, err, "waiting for the subscribers of an earlier failed start to close",
				"the error says what the Start waited for")
			assert.Equal(t, subscribes, calls.Load(), "and subscribes nothing meanwhile")
			once.Do(func() { close(release) })
			assert.EventuallyWithT(t, func(c *assert.CollectT) {
				assert.Equal(c, made.Load(), closed.Load())
			}, 10*time.Second, 10*time.Millisecond, "the subscribers' closes go on after the Start returned")
			require.NoError(t, svc.Close())
		})
	}
}
