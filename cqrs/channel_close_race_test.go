package cqrs_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestChannelMessagePublishedAsTheTransportClosesIsHandledOrDeadLettered
// publishes 400 messages, concurrently, to a destination with one
// subscription while the transport closes: every message whose Publish
// returned nil reaches the subscription or is dead-lettered, none is lost
// as gochannel ends the subscription. The race is short, so it runs many
// rounds, in both publish modes.
func TestChannelMessagePublishedAsTheTransportClosesIsHandledOrDeadLettered(t *testing.T) {
	for _, async := range []bool{false, true} {
		t.Run(map[bool]string{false: "sync", true: "async"}[async], func(t *testing.T) {
			for round := range 20 {
				lost := publishWhileClosing(t, async, func(tr *cqrs.ChannelTransport, _ message.Subscriber) error {
					return tr.Close()
				}, false)
				require.Empty(t, lost, "round %d: published, neither handled nor dead-lettered", round)
			}
		})
	}
}

// TestChannelMessageInFlightAsItsSubscriptionClosesIsHandledOrDeadLettered
// publishes 400 messages, concurrently, to an event destination while its
// only subscription closes: every message whose Publish returned nil before
// the close began, in flight or not, reaches the subscription or is
// dead-lettered. The race is short, so it runs many rounds, in both
// publish modes.
func TestChannelMessageInFlightAsItsSubscriptionClosesIsHandledOrDeadLettered(t *testing.T) {
	for _, async := range []bool{false, true} {
		t.Run(map[bool]string{false: "sync", true: "async"}[async], func(t *testing.T) {
			for round := range 20 {
				lost := publishWhileClosing(t, async, func(_ *cqrs.ChannelTransport, sub message.Subscriber) error {
					return sub.Close()
				}, true)
				require.Empty(t, lost, "round %d: published, neither handled nor dead-lettered", round)
			}
		})
	}
}

// publishWhileClosing publishes messages to "ev" of a new transport, with
// one subscription, while closing runs, and returns the UUIDs whose Publish
// returned nil (with before, before closing began) that the subscription
// never received and that were not dead-lettered.
func publishWhileClosing(t *testing.T, async bool, closing func(*cqrs.ChannelTransport, message.Subscriber) error, before bool) []string {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: async})
	require.NoError(t, err)
	defer func() { require.NoError(t, tr.Close()) }()
	sub, _ := tr.Subscriber("ev")
	out, err := sub.Subscribe(context.Background(), "ev")
	require.NoError(t, err)
	seen := map[string]bool{}
	received := make(chan struct{})
	go func() {
		defer close(received)
		for m := range out {
			seen[m.UUID] = true
			m.Ack()
		}
	}()
	all, early := publishConcurrently(t, tr, "ev", 400, func() { require.NoError(t, closing(tr, sub)) })
	require.NoError(t, sub.Close())
	<-received
	for _, dl := range tr.DeadLetters() {
		seen[dl.Message.UUID] = true
	}
	published := all
	if before {
		published = early
	}
	var lost []string
	for _, id := range published {
		if !seen[id] {
			lost = append(lost, id)
		}
	}
	return lost
}

// publishConcurrently publishes n messages to dest of tr, each from its own
// goroutine, and runs midway once half of them started. It returns the
// UUIDs whose Publish returned nil, all and those that returned before
// midway began.
func publishConcurrently(t *testing.T, tr *cqrs.ChannelTransport, dest string, n int, midway func()) (all, before []string) {
	t.Helper()
	pub, err := tr.Publisher(dest)
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		half  sync.WaitGroup
		begun atomic.Bool
	)
	half.Add(n / 2)
	for i := range n {
		wg.Go(func() {
			if i < n/2 {
				half.Done()
			}
			id := fmt.Sprintf("m-%d", i)
			if pub.Publish(dest, message.NewMessage(id, nil)) != nil {
				return
			}
			early := !begun.Load()
			mu.Lock()
			defer mu.Unlock()
			all = append(all, id)
			if early {
				before = append(before, id)
			}
		})
	}
	half.Wait()
	begun.Store(true)
	midway()
	wg.Wait()
	return all, before
}
