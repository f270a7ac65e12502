package cqrs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A Close called while a Start waits for a subscribe that does not answer
// ends that Start, whose context never ends, instead of waiting for it for
// good: both return, Start with ErrNotStarted, and the service stays
// closed.
func TestCloseDuringAStartThatDoesNotEndEndsTheStart(t *testing.T) {
	rig := newPubSubRig(t)
	release := make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	subscribing := make(chan struct{}, 16)
	tr := rig.transport(t, cqrs.PubSubConfig{
		Subscriber: func(string, string) (message.Subscriber, error) {
			subscribing <- struct{}{}
			return stallingSubscriber{gochannelSubscriber{rig.gc}, release}, nil
		},
	})
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr})

	started := make(chan error, 1)
	go func() { started <- app.svc.Start(context.Background()) }()
	select {
	case <-subscribing:
	case <-time.After(30 * time.Second):
		t.Fatal("Start did not reach its subscribers")
	}
	closed := make(chan error, 1)
	go func() { closed <- app.svc.Close() }()
	select {
	case err := <-started:
		require.ErrorIs(t, err, cqrs.ErrNotStarted)
	case <-time.After(30 * time.Second):
		t.Fatal("Close did not end the Start in progress")
	}
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("Close did not return")
	}
	require.ErrorIs(t, app.svc.Start(context.Background()), cqrs.ErrStarted, "a closed service does not start again")
}
