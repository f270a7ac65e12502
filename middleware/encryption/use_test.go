package encryption_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// TestUse_PlacesEncryptAndDecryptPhases checks where Use puts the two
// sides: the Encrypter in the produce phase Encrypt, the Decrypter in the
// consume phase Decrypt, between idempotency and retry.
func TestUse_PlacesEncryptAndDecryptPhases(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	stack := middleware.NewStack()
	keep := func(h message.HandlerFunc) message.HandlerFunc { return h }
	require.NoError(t, stack.Use(middleware.ConsumeRetry, "retry", keep))
	require.NoError(t, stack.Use(middleware.ConsumeIdempotency, "claim", keep))
	require.NoError(t, encryption.Use(stack, f.enc, f.dec))
	assert.Equal(t, "consume: idempotency(claim) → decrypt(encryption) → retry(retry) → handler; "+
		"produce: encrypt(encryption) → transport", stack.String())
}

// TestUse_RoundTripThroughGoChannel sends through the stack's publisher
// decorators and handles through its middlewares in a router on gochannel:
// the transport carries ciphertext, and the handler gets the plaintext.
func TestUse_RoundTripThroughGoChannel(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	stack := middleware.NewStack()
	require.NoError(t, encryption.Use(stack, f.enc, f.dec))
	pubsub := gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 8, Persistent: true}, watermill.NopLogger{})
	t.Cleanup(func() { _ = pubsub.Close() })
	wire, err := pubsub.Subscribe(context.Background(), testDest) // what the transport carries
	require.NoError(t, err)

	router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
	require.NoError(t, err)
	router.AddMiddleware(stack.HandlerMiddlewares()...)
	handled := make(chan string, 1)
	router.AddConsumerHandler("orders-handler", testDest, pubsub, func(msg *message.Message) error {
		handled <- string(msg.Payload)
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _ = router.Run(ctx) }()
	<-router.Running()
	t.Cleanup(func() { cancel(); _ = router.Close() })

	pub, err := stack.DecoratePublisher(pubsub)
	require.NoError(t, err)
	require.NoError(t, pub.Publish(testDest, newMsg(testType, []byte("order 1"))))

	select {
	case m := <-wire:
		assert.NotEqual(t, "order 1", string(m.Payload), "the transport carried the plaintext")
		assert.NotEmpty(t, m.Metadata.Get(sourceflow.MetaEncryption), "the transport's copy has no encryption header")
		m.Ack()
	case <-time.After(10 * time.Second):
		t.Fatal("nothing reached the transport")
	}
	select {
	case got := <-handled:
		assert.Equal(t, "order 1", got, "the handler did not get the plaintext")
	case <-time.After(10 * time.Second):
		t.Fatal("the handler never ran")
	}
}

// TestUse_RefusesAMissingSide checks that Use names each missing piece
// and leaves the stack unchanged.
func TestUse_RefusesAMissingSide(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	stack := middleware.NewStack()
	before := stack.String()

	err := encryption.Use(stack, nil, f.dec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Encrypter is required")
	err = encryption.Use(stack, f.enc, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Decrypter is required")
	err = encryption.Use(nil, f.enc, f.dec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "stack is required")
	assert.Equal(t, before, stack.String(), "a refused Use changed the stack")

	require.NoError(t, encryption.Use(stack, f.enc, f.dec))
	assert.ErrorIs(t, encryption.Use(stack, f.enc, f.dec), middleware.ErrDuplicateName, "a second Use took the step's name again")
}
