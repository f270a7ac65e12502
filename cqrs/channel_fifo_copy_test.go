package cqrs_test

import (
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// holdFirst returns a handler that blocks its first message until release
// is closed, after closing handling, and sends each message to got once
// handled.
func holdFirst(handling, release chan struct{}, got chan<- *message.Message) message.NoPublishHandlerFunc {
	var once sync.Once
	return func(m *message.Message) error {
		once.Do(func() { close(handling); <-release })
		got <- m
		return nil
	}
}

// On the asynchronous transport, a message queued for an ordered
// destination is delivered as it was published: the publisher may reuse
// its slice, or change the message, once Publish returned.
func TestAsyncOrderedPublishDeliversWhatWasPublished(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	handling, release, got := make(chan struct{}), make(chan struct{}), make(chan *message.Message, 4)
	pub := routeTo(t, tr, "buf.fifo", holdFirst(handling, release, got))

	require.NoError(t, pub.Publish("buf.fifo", message.NewMessage("hold", nil)))
	<-handling
	buf := []*message.Message{message.NewMessage("a", nil)}
	require.NoError(t, pub.Publish("buf.fifo", buf...))
	buf[0] = message.NewMessage("b", nil) // the slice reused
	require.NoError(t, pub.Publish("buf.fifo", buf...))
	changed := message.NewMessage("c", nil)
	changed.Metadata.Set("v", "as published")
	require.NoError(t, pub.Publish("buf.fifo", changed))
	changed.Metadata.Set("v", "changed after")
	close(release)

	var seen []string
	for range 4 {
		m := <-got
		seen = append(seen, m.UUID)
		if m.UUID == "c" {
			assert.Equal(t, "as published", m.Metadata.Get("v"))
		}
	}
	assert.Equal(t, []string{"hold", "a", "b", "c"}, seen)
}
