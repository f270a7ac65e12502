package cqrs_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A message whose Publish failed as the transport closed is not
// dead-lettered too: its publisher was told, and may publish it again.
func TestChannelMessageWhosePublishFailedAtCloseIsNotDeadLettered(t *testing.T) {
	for _, async := range []bool{false, true} {
		t.Run(map[bool]string{false: "sync", true: "async"}[async], func(t *testing.T) {
			for round := range 50 {
				failed, dead := publishFailingAtClose(t, async)
				for _, id := range dead {
					require.False(t, failed[id], "round %d: %s failed its publish and was dead-lettered", round, id)
				}
			}
		})
	}
}

// publishFailingAtClose publishes 400 messages concurrently to "ev", with
// one subscription, while the transport closes, and returns the UUIDs
// whose Publish failed and those dead-lettered.
func publishFailingAtClose(t *testing.T, async bool) (failed map[string]bool, dead []string) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: async})
	require.NoError(t, err)
	sub, _ := tr.Subscriber("ev")
	out, err := sub.Subscribe(context.Background(), "ev")
	require.NoError(t, err)
	go func() {
		for m := range out {
			m.Ack()
		}
	}()
	pub, _ := tr.Publisher("ev")
	failed = map[string]bool{}
	var mu sync.Mutex
	var wg, half sync.WaitGroup
	half.Add(200)
	for i := range 400 {
		wg.Go(func() {
			if i < 200 {
				half.Done()
			}
			id := fmt.Sprintf("m-%d", i)
			if pub.Publish("ev", message.NewMessage(id, nil)) != nil {
				mu.Lock()
				failed[id] = true
				mu.Unlock()
			}
		})
	}
	half.Wait()
	require.NoError(t, tr.Close())
	wg.Wait()
	require.NoError(t, sub.Close())
	for _, dl := range tr.DeadLetters() {
		dead = append(dead, dl.Message.UUID)
	}
	return failed, dead
}
