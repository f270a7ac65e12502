package encryption_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// downKMS is a KMS whose Decrypt calls fail, as an unreachable endpoint's
// do, while down is set; failed counts them.
type downKMS struct {
	encryption.KMSAPI
	down   atomic.Bool
	failed atomic.Int64
}

var errKMSUnreachable = &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}

func (k *downKMS) Decrypt(ctx context.Context, in *kms.DecryptInput, opts ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	if k.down.Load() {
		k.failed.Add(1)
		return nil, fmt.Errorf("operation error KMS: Decrypt: %w", errKMSUnreachable)
	}
	return k.KMSAPI.Decrypt(ctx, in, opts...)
}

// TestRouter_UnreachableKMSDelaysMessagesAndLosesNone: while KMS cannot be
// reached, decryption fails with an error naming the cause that is not
// permanent, so the messages are delivered again instead of going to the
// poison topic; once KMS answers, every one of them is handled.
func TestRouter_UnreachableKMSDelaysMessagesAndLosesNone(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	api := &downKMS{KMSAPI: f.kms}
	dec, err := encryption.NewDecrypter(api, encryption.DecrypterConfig{Clock: f.clock, Retry: sourceflow.RetryPolicy{
		InitialInterval: time.Microsecond, MaxInterval: time.Millisecond}})
	require.NoError(t, err)
	f.dec = dec
	api.down.Store(true)

	err = f.dec.Decrypt(context.Background(), testDest, f.encrypt(t, []byte("probe")))
	require.ErrorIs(t, err, encryption.ErrDecrypt)
	require.ErrorIs(t, err, encryption.ErrKMS)
	assert.ErrorIs(t, err, errKMSUnreachable)
	assert.False(t, sourceflow.IsPermanent(err), "an unreachable KMS may come back: the message is delivered again")

	pubsub := gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 64}, watermill.NopLogger{})
	handled, done := runRouter(t, f, pubsub)
	poisoned, err := pubsub.Subscribe(context.Background(), "poison")
	require.NoError(t, err)
	pub, err := f.enc.DecoratePublisher(pubsub)
	require.NoError(t, err)
	const total = 5
	for i := range total {
		require.NoError(t, pub.Publish(testDest, newMsg(testType, fmt.Appendf(nil, "order %d", i))))
	}
	require.Eventually(t, func() bool { return api.failed.Load() >= 3*total }, 10*time.Second, time.Millisecond,
		"the messages are delivered again while KMS is unreachable")
	api.down.Store(false)

	for range total {
		select {
		case <-done:
		case m := <-poisoned:
			t.Fatalf("message poisoned while KMS was unreachable: %s", m.Metadata.Get(sourceflow.MetaFailure))
		case <-time.After(10 * time.Second):
			t.Fatal("not every message was handled once KMS answered")
		}
	}
	handled.mu.Lock()
	defer handled.mu.Unlock()
	for i := range total {
		assert.True(t, handled.payloads[fmt.Sprintf("order %d", i)], "order %d handled", i)
	}
	select {
	case m := <-poisoned:
		t.Fatalf("message poisoned: %s", m.Metadata.Get(sourceflow.MetaFailure))
	default:
	}
}
