package cqrs_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// keyedTransport stands for awsbus.Transport with Config.KMSKeyID set: a
// transport between processes whose destinations are encrypted at rest
// under a KMS key.
type keyedTransport struct {
	*remoteTransport
	key string
}

func (k keyedTransport) KMSKeyID() string { return k.key }

func newKeyedTransport(t *testing.T) keyedTransport {
	t.Helper()
	return keyedTransport{remoteTransport: newRemoteTransport(t), key: "alias/hotel"}
}

// frontTransport stands for a transport in front of another one
// (outbox.Transport), which Inner returns.
type frontTransport struct{ cqrs.Transport }

func (f frontTransport) Inner() cqrs.Transport { return f.Transport }

// unprotectedWarnings returns each warning in logs that the side of the
// pipeline named by field (ServiceConfig.HandlerMiddleware or
// ServiceConfig.PublisherDecorators) leaves message bodies unprotected.
func unprotectedWarnings(logs *watermill.CaptureLoggerAdapter, field string) []watermill.CapturedMessage {
	var found []watermill.CapturedMessage
	for _, m := range logs.Captured()[watermill.InfoLogLevel] {
		if strings.Contains(m.Msg, "neither encrypted nor authenticated") && strings.Contains(m.Msg, field) {
			found = append(found, m)
		}
	}
	return found
}

// encryptionStack is a middleware.Stack with encryption.Use's step, over
// an in-process KMS.
func encryptionStack(t *testing.T) (*middleware.Stack, *encryption.Encrypter, *encryption.Decrypter) {
	t.Helper()
	kms := encryptiontest.New()
	key := kms.CreateKey()
	enc, err := encryption.NewEncrypter(kms, encryption.EncrypterConfig{KeyID: key})
	require.NoError(t, err)
	dec, err := encryption.NewDecrypter(kms, encryption.DecrypterConfig{KeyIDs: []string{encryptiontest.ARN(key)}})
	require.NoError(t, err)
	stack := middleware.NewStack()
	require.NoError(t, encryption.Use(stack, enc, dec))
	return stack, enc, dec
}

func TestStart_WarnsThatAKeyedTransportWithoutEncryptionLeavesBodiesUnprotected(t *testing.T) {
	logs := startHotel(t, cqrs.ServiceConfig{Transport: newKeyedTransport(t)})

	consume := unprotectedWarnings(logs, "ServiceConfig.HandlerMiddleware")
	require.Len(t, consume, 1, "%v", logs.Captured())
	assert.Equal(t, watermill.LogFields{
		"service": "hotel", "transport": "cqrs_test.keyedTransport", "kms_key": "alias/hotel",
		"destinations": "bookings, booking-events",
	}, consume[0].Fields)
	assert.Contains(t, consume[0].Msg, "anyone allowed sqs:SendMessage or sns:Publish on the destinations it listens to can send it commands")
	produce := unprotectedWarnings(logs, "ServiceConfig.PublisherDecorators")
	require.Len(t, produce, 1, "%v", logs.Captured())
	assert.Equal(t, "booking-events, bookings", produce[0].Fields["destinations"])
	for _, m := range append(consume, produce...) {
		assert.Contains(t, m.Msg, "call awsbus.NewEncryption")
		assert.Contains(t, m.Msg, "encryption.Use")
	}
}

func TestStart_DoesNotWarnOfAKeyedTransportWithEncryptionInstalled(t *testing.T) {
	stack, enc, dec := encryptionStack(t)
	for name, cfg := range map[string]cqrs.ServiceConfig{
		"encryption.Use": {HandlerMiddleware: stack.HandlerMiddlewares(), PublisherDecorators: stack.PublisherDecorators()},
		"by hand": {
			HandlerMiddleware:   []message.HandlerMiddleware{dec.Middleware},
			PublisherDecorators: []message.PublisherDecorator{enc.DecoratePublisher},
		},
	} {
		t.Run(name, func(t *testing.T) {
			cfg.Transport = newKeyedTransport(t)
			logs := startHotel(t, cfg)
			assert.Empty(t, unprotectedWarnings(logs, "ServiceConfig."), "%v", logs.Captured())
		})
	}
}

// Each side is warned of alone: a Decrypter without an Encrypter still
// sends in clear text, and the reverse handles clear text.
func TestStart_WarnsOfTheSideWithoutEncryption(t *testing.T) {
	_, enc, dec := encryptionStack(t)
	logs := startHotel(t, cqrs.ServiceConfig{Transport: newKeyedTransport(t), HandlerMiddleware: []message.HandlerMiddleware{dec.Middleware}})
	assert.Empty(t, unprotectedWarnings(logs, "ServiceConfig.HandlerMiddleware"))
	assert.Len(t, unprotectedWarnings(logs, "ServiceConfig.PublisherDecorators"), 1, "%v", logs.Captured())

	logs = startHotel(t, cqrs.ServiceConfig{Transport: newKeyedTransport(t), PublisherDecorators: []message.PublisherDecorator{enc.DecoratePublisher}})
	assert.Len(t, unprotectedWarnings(logs, "ServiceConfig.HandlerMiddleware"), 1, "%v", logs.Captured())
	assert.Empty(t, unprotectedWarnings(logs, "ServiceConfig.PublisherDecorators"))
}

func TestStart_DoesNotWarnOfATransportWithoutAKey(t *testing.T) {
	for name, tr := range map[string]cqrs.Transport{
		"a transport between processes": newRemoteTransport(t),
		"a ChannelTransport":            newChannel(t),
		"an empty key":                  keyedTransport{remoteTransport: newRemoteTransport(t)},
	} {
		t.Run(name, func(t *testing.T) {
			logs := startHotel(t, cqrs.ServiceConfig{Transport: tr})
			assert.Empty(t, unprotectedWarnings(logs, "ServiceConfig."), "%v", logs.Captured())
		})
	}
}

// A keyed transport behind a HybridTransport or in front of another
// transport is found there.
func TestStart_WarnsOfAKeyedTransportInsideAnother(t *testing.T) {
	hybrid, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: newChannel(t), Events: newKeyedTransport(t)})
	require.NoError(t, err)
	for name, tr := range map[string]cqrs.Transport{
		"hybrid":   hybrid,
		"in front": frontTransport{newKeyedTransport(t)},
	} {
		t.Run(name, func(t *testing.T) {
			logs := startHotel(t, cqrs.ServiceConfig{Transport: tr})
			assert.Len(t, unprotectedWarnings(logs, "ServiceConfig.HandlerMiddleware"), 1, "%v", logs.Captured())
		})
	}
}

// A service that listens to nothing is not warned of its consume side.
func TestStart_WarnsOnlyOfTheSidesTheServiceUses(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "front-desk", Transport: newKeyedTransport(t), Logger: logs})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[bookRoom](svc, "hotel.BookRoom", "bookings"))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) })
	assert.Empty(t, unprotectedWarnings(logs, "ServiceConfig.HandlerMiddleware"))
	produce := unprotectedWarnings(logs, "ServiceConfig.PublisherDecorators")
	require.Len(t, produce, 1, "%v", logs.Captured())
	assert.Equal(t, "bookings", produce[0].Fields["destinations"])
}

// flakyPublisher is a keyed transport whose first Publisher call fails, so
// the first Start fails after binding.
type flakyPublisher struct {
	keyedTransport
	calls *atomic.Int32
}

func (f flakyPublisher) Publisher(dest string) (message.Publisher, error) {
	if f.calls.Add(1) == 1 {
		return nil, errors.New("not yet")
	}
	return f.keyedTransport.Publisher(dest)
}

// A Start retried after a failure does not bind again, nor warn again.
func TestStart_WarnsOfUnprotectedBodiesOncePerService(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	tr := flakyPublisher{keyedTransport: newKeyedTransport(t), calls: new(atomic.Int32)}
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "hotel", Transport: tr, Logger: logs, Listen: []string{"bookings"}})
	require.NoError(t, err)
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[bookRoom](svc, "hotel.BookRoom", "bookings"),
		cqrs.Handle(cqrs.NewSaga[stay](svc, "stay"), func(context.Context, *stay, bookRoom, cqrs.Envelope) ([]any, error) { return nil, nil }),
	))
	require.Error(t, svc.Start(context.Background()))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) })

	assert.Len(t, unprotectedWarnings(logs, "ServiceConfig.HandlerMiddleware"), 1, "%v", logs.Captured())
	assert.Len(t, unprotectedWarnings(logs, "ServiceConfig.PublisherDecorators"), 1, "%v", logs.Captured())
}
