package awsbus_test

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

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// disabledForDecryptKMS is the fake KMS whose Decrypt answers as for a
// disabled key while disabled is set; GenerateDataKey still serves, so a
// message is sealed before its consumer meets the refusal.
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

// TestUpgradeKMSGraceOutlastsDefaultRedeliveries checks that, at the
// defaults (8 receives, NackBackoff 1s doubling), a consumed message whose
// KMS key is refused for a reason an operator can undo (a disabled key) is
// kept for the Decrypter's KeyRefusalGrace before it is dead-lettered, as
// the CHANGELOG says: the Decrypter's refusal hints a retry after a quarter
// of the grace (sourceflow.RetryAfter), which cqrs records and the
// subscriber takes as the nack's visibility timeout. In the synctest
// bubble the clock jumps over the waits.
func TestUpgradeKMSGraceOutlastsDefaultRedeliveries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var disabled atomic.Bool
		k := encryptiontest.New()
		k.SetAlias("alias/orders", k.CreateKey())
		sq, sn := newFakes()
		tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{KMSKeyID: "alias/orders",
			ConsumerConfig: awsbus.ConsumerConfig{WaitTime: time.Second, ShutdownTimeout: time.Second}})
		require.NoError(t, err)
		t.Cleanup(func() { _ = tr.Close() })
		enc, err := awsbus.NewEncryption(disabledForDecryptKMS{KMS: k, disabled: &disabled}, tr, awsbus.EncryptionConfig{})
		require.NoError(t, err)
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
		svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: tr, Listen: []string{"orders.fifo"},
			CloseTimeout: 2 * time.Second, HandlerMiddleware: []message.HandlerMiddleware{receive, enc.Decrypter.Middleware},
			PublisherDecorators: []message.PublisherDecorator{enc.Encrypter.DecoratePublisher}})
		require.NoError(t, err)
		t.Cleanup(func() { _ = svc.Close() })
		require.NoError(t, cqrs.RegisterCommand[restartOrder](svc, "orders.CreateOrder", "orders.fifo"))
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[restartState](svc, "order"),
			func(context.Context, *restartState, restartOrder, cqrs.Envelope) ([]any, error) { return nil, nil }))
		disabled.Store(true)
		require.NoError(t, svc.Start(context.Background()))
		_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", restartOrder{ID: "o-1"})
		require.NoError(t, err)

		dlq := tr.Endpoints()["orders.fifo"].DLQURL
		for len(sq.Messages(dlq)) == 0 {
			time.Sleep(time.Second) // fake time
		}
		buried := time.Now()
		mu.Lock()
		defer mu.Unlock()
		require.NotEmpty(t, received)
		assert.GreaterOrEqual(t, buried.Sub(received[0]), encryption.KeyRefusalGrace,
			"dead-lettered after the grace, not on its last allowed receive 2m7s after the first")
		assert.Len(t, received, 5, "four waits of a quarter of the grace, within the 8 receives")
		assert.Contains(t, sq.Messages(dlq)[0].Attributes[sourceflow.MetaFailure], "past the grace of 15m0s")
	})
}
