package encryption_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// deadLetter stands in for a transport's dead-letter queue: a message whose
// handling failed permanently is published to topic with the reason and
// acked; other errors are returned (and the message redelivered).
func deadLetter(pub message.Publisher, topic string) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := h(msg)
			if err == nil || !sourceflow.IsPermanent(err) {
				return out, err
			}
			dead := msg.Copy()
			dead.Metadata.Set(sourceflow.MetaFailure, err.Error())
			return nil, pub.Publish(topic, dead)
		}
	}
}

// TestRouter_TamperedMessageNeverReachesHandler runs the decrypter in a
// Watermill router on gochannel: a tampered message goes to the poison topic
// as a permanent failure without reaching the handler, and every other
// message is handled in plaintext.
func TestRouter_TamperedMessageNeverReachesHandler(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	pubsub := gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 64}, watermill.NopLogger{})
	const total = 10
	handled, done := runRouter(t, f, pubsub)
	poisoned, err := pubsub.Subscribe(context.Background(), "poison")
	require.NoError(t, err)

	pub, err := f.enc.DecoratePublisher(pubsub)
	require.NoError(t, err)
	for i := range total {
		payload := []byte(fmt.Sprintf("order %d", i))
		if i == 4 {
			m, err := f.enc.Encrypt(context.Background(), testDest, newMsg(testType, payload))
			require.NoError(t, err)
			m.Payload[0] ^= 0x01 // still base64, no longer authentic
			require.NoError(t, pubsub.Publish(testDest, m))
			continue
		}
		require.NoError(t, pub.Publish(testDest, newMsg(testType, payload)))
	}

	select {
	case m := <-poisoned:
		assert.Contains(t, m.Metadata.Get(sourceflow.MetaFailure), encryption.ErrTampered.Error())
		assert.NotEmpty(t, m.Metadata.Get(sourceflow.MetaEncryption), "the dead-lettered copy is still encrypted")
		m.Ack()
	case <-time.After(10 * time.Second):
		t.Fatal("the tampered message never reached the poison topic")
	}
	for range total - 1 {
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("not every intact message was handled")
		}
	}
	handled.mu.Lock()
	defer handled.mu.Unlock()
	assert.Len(t, handled.payloads, total-1)
	assert.False(t, handled.payloads["order 4"], "the handler never saw the tampered message")
	for i := range total {
		if i != 4 {
			assert.True(t, handled.payloads[fmt.Sprintf("order %d", i)], "order %d handled", i)
		}
	}
}

type handledSet struct {
	mu       sync.Mutex
	payloads map[string]bool
}

// runRouter runs a router with the dead-letter stand-in and f's decrypter
// around a handler of testDest that records the payloads it sees.
func runRouter(t *testing.T, f *fixture, pubsub *gochannel.GoChannel) (*handledSet, chan struct{}) {
	t.Helper()
	router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
	require.NoError(t, err)
	router.AddMiddleware(deadLetter(pubsub, "poison"), f.dec.Middleware)
	handled := &handledSet{payloads: map[string]bool{}}
	done := make(chan struct{}, 64)
	router.AddConsumerHandler("orders-handler", testDest, pubsub, func(msg *message.Message) error {
		handled.mu.Lock()
		handled.payloads[string(msg.Payload)] = true
		handled.mu.Unlock()
		done <- struct{}{}
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _ = router.Run(ctx) }()
	<-router.Running()
	t.Cleanup(func() {
		cancel()
		_ = router.Close()
	})
	return handled, done
}
