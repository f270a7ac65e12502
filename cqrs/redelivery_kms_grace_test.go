package cqrs_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// disabledForDecryptKMS is the fake KMS whose Decrypt answers as for a
// disabled key while disabled is set; GenerateDataKey still serves.
type disabledForDecryptKMS struct {
	*encryptiontest.KMS
	disabled *atomic.Bool
}

func (k disabledForDecryptKMS) Decrypt(ctx context.Context, in *kms.DecryptInput, opts ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	if k.disabled.Load() {
		return nil, &smithy.GenericAPIError{Code: "DisabledException", Message: "the key is disabled"}
	}
	return k.KMS.Decrypt(ctx, in, opts...)
}

// At ChannelTransport's defaults (5 deliveries, 10ms apart) a message whose
// KMS key is disabled is delivered again after the delay the Decrypter
// hints (a quarter of KeyRefusalGrace) and dead-lettered only once the key
// was refused for the grace. In the synctest bubble the clock jumps over
// the waits.
func TestChannelTransportKeepsAMessageWhoseKeyIsRefusedForTheGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var disabled atomic.Bool
		k := encryptiontest.New()
		key := k.CreateKey()
		refusing := disabledForDecryptKMS{KMS: k, disabled: &disabled}
		enc, err := encryption.NewEncrypter(refusing, encryption.EncrypterConfig{KeyID: key})
		require.NoError(t, err)
		dec, err := encryption.NewDecrypter(refusing, encryption.DecrypterConfig{})
		require.NoError(t, err)
		tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = tr.Close() })
		var mu sync.Mutex
		var received []time.Time
		receive := func(h message.HandlerFunc) message.HandlerFunc {
			return func(m *message.Message) ([]*message.Message, error) {
				mu.Lock()
				received = append(received, time.Now())
				mu.Unlock()
				return h(m)
			}
		}
		svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: tr, Listen: []string{"orders"},
			HandlerMiddleware:   []message.HandlerMiddleware{receive, dec.Middleware},
			PublisherDecorators: []message.PublisherDecorator{enc.DecoratePublisher}})
		require.NoError(t, err)
		registerOrderTypes(t, svc)
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
			return nil, nil
		}))
		disabled.Store(true)
		start(t, svc)
		_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 5})
		require.NoError(t, err)

		for tr.DeadLetterCount() == 0 {
			time.Sleep(time.Second) // fake time
		}
		mu.Lock()
		defer mu.Unlock()
		require.Len(t, received, 5)
		for i := 1; i < len(received); i++ {
			assert.Equal(t, encryption.KeyRefusalGrace/4, received[i].Sub(received[i-1]), "delivery %d after the hinted delay", i+1)
		}
		assert.Contains(t, tr.DeadLetters()[0].Reason, "past the grace of 15m0s", "dead-lettered once the grace ended")
	})
}
