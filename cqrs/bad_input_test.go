package cqrs_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// errorCapture is a command-subscribe hook recording every handler error.
func errorCapture(errs *recorder[error]) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := h(msg)
			if err != nil {
				errs.add(err)
			}
			return out, err
		}
	}
}

// newBadInputApp starts an order app whose command handlers' errors errs
// records, with a publisher of "orders" to put raw messages on it.
func newBadInputApp(t *testing.T) (app *orderApp, pub message.Publisher, errs *recorder[error]) {
	t.Helper()
	errs = &recorder[error]{}
	app = newOrderApp(t, cqrs.ServiceConfig{Hooks: cqrs.Hooks{
		CommandSubscribe: []message.HandlerMiddleware{errorCapture(errs)},
	}})
	app.start(t)
	pub, err := app.transport.Publisher("orders")
	require.NoError(t, err)
	return app, pub, errs
}

// rawCommand builds a message as another producer might put it on "orders".
func rawCommand(typ, entity, payload string) *message.Message {
	return rawCommandID("raw-"+typ+"-"+entity, typ, entity, payload)
}

// rawCommandID is rawCommand with a chosen message id.
func rawCommandID(id, typ, entity, payload string) *message.Message {
	msg := message.NewMessage(id, []byte(payload))
	env := cqrs.Envelope{Type: typ, MessageID: msg.UUID, EntityID: entity}
	env.WriteTo(msg)
	if typ == "" {
		delete(msg.Metadata, sourceflow.MetaType)
	}
	return msg
}

// withMetadata returns msg with the metadata key set to value.
func withMetadata(msg *message.Message, key, value string) *message.Message {
	msg.Metadata.Set(key, value)
	return msg
}

func TestBadMessagesAreDeadLetteredWithTypedErrorsAndOthersFlow(t *testing.T) {
	tests := []struct {
		name   string
		msg    *message.Message
		target error
		// deliveries is 1 for a permanent failure; a type no handler takes
		// is retried, as a newer instance may take it, until its last
		// delivery, which dead-letters it with the same reason.
		deliveries int
	}{
		{"unknown type", rawCommand("orders.Unheard", "o-1", `{}`), cqrs.ErrUnknownType, cqrs.DefaultMaxDeliveries},
		{"payload that does not decode", rawCommand("orders.CreateOrder", "o-1", `{"amount":"many"`), cqrs.ErrDecode, 1},
		{"empty entity id", rawCommand("orders.CreateOrder", "", `{"amount":1}`), cqrs.ErrEmptyEntityID, 1},
		{"missing type", rawCommand("", "o-1", `{"amount":1}`), cqrs.ErrEnvelope, 1},
		{"garbled sequence", withMetadata(rawCommand("orders.CreateOrder", "o-1", `{"amount":1}`), sourceflow.MetaSequence, "nine"), cqrs.ErrEnvelope, 1},
		{"garbled occurrence time", withMetadata(rawCommand("orders.CreateOrder", "o-1", `{"amount":1}`), sourceflow.MetaOccurredAt, "yesterday"), cqrs.ErrEnvelope, 1},
		{"garbled replay flag", withMetadata(rawCommand("orders.CreateOrder", "o-1", `{"amount":1}`), sourceflow.MetaReplay, "perhaps"), cqrs.ErrEnvelope, 1},
		{"replay flag on a delivered message", withMetadata(rawCommand("orders.CreateOrder", "o-1", `{"amount":1}`), sourceflow.MetaReplay, "true"), cqrs.ErrEnvelope, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, pub, errs := newBadInputApp(t)

			require.NoError(t, pub.Publish("orders", tt.msg))
			_, err := app.agg.Send(context.Background(), "good", CreateOrder{Amount: 7})
			require.NoError(t, err)

			dead := app.transport.DeadLetters()
			require.Len(t, dead, 1)
			assert.Equal(t, tt.msg.UUID, dead[0].Message.UUID)
			assert.Equal(t, tt.deliveries, dead[0].Deliveries, "dead-lettered on its last delivery")
			assert.Contains(t, dead[0].Reason, tt.target.Error())
			got := errs.all()
			require.Len(t, got, tt.deliveries)
			for i, err := range got {
				assert.ErrorIs(t, err, tt.target)
				assert.Equal(t, i == len(got)-1, sourceflow.IsPermanent(err), "only the last delivery's failure is permanent")
			}

			s, found, err := app.view.Get(context.Background(), "good")
			require.NoError(t, err)
			require.True(t, found, "the good message after the bad one was handled")
			assert.Equal(t, 7, s.Amount)
		})
	}
}

func TestPanickingHandlerBecomesAnErrorAndOtherMessagesFlow(t *testing.T) {
	var errs recorder[error]
	app := newOrderApp(t, cqrs.ServiceConfig{Hooks: cqrs.Hooks{
		EventSubscribe: []message.HandlerMiddleware{errorCapture(&errs)},
	}})
	boom := cqrs.NewView[Summary](app.svc, "boom")
	require.NoError(t, cqrs.Project(boom, func(_ context.Context, _ *Summary, e OrderCreated, _ cqrs.Envelope) error {
		if e.OrderID == "cursed" {
			panic("cursed order")
		}
		return nil
	}))
	app.start(t)
	ctx := context.Background()

	_, err := app.agg.Send(ctx, "cursed", CreateOrder{Amount: 1})
	require.NoError(t, err, "the sender is not hurt by a consumer's panic")
	_, err = app.agg.Send(ctx, "blessed", CreateOrder{Amount: 2})
	require.NoError(t, err)

	got := errs.all()
	require.Len(t, got, cqrs.DefaultMaxDeliveries, "retried up to MaxDeliveries")
	var pe *sourceflow.PanicError
	require.ErrorAs(t, got[0], &pe)
	assert.Equal(t, "cursed order", pe.Value)
	assert.ErrorIs(t, got[0], sourceflow.ErrPanic)
	assert.False(t, sourceflow.IsPermanent(got[0]))
	dead := app.transport.DeadLetters()
	require.Len(t, dead, 1)
	assert.Equal(t, cqrs.DefaultMaxDeliveries, dead[0].Deliveries)
	assert.Equal(t, "orders.OrderCreated", dead[0].Message.Metadata.Get(sourceflow.MetaType))

	s, found, err := app.view.Get(ctx, "blessed")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, Summary{Amount: 2, Paid: true, Events: 2}, s)

	stream, err := app.store.Load(ctx, "cursed")
	require.NoError(t, err)
	assert.Len(t, stream, 2, "handlers that succeeded before the panic did not run again on redelivery")
	s, _, err = app.view.Get(ctx, "cursed")
	require.NoError(t, err)
	assert.Equal(t, 1, s.Amount, "the summary projected OrderCreated once")
}

func TestSendRejectsBadCommands(t *testing.T) {
	app := newOrderApp(t, cqrs.ServiceConfig{})
	app.start(t)
	ctx := context.Background()
	type Unregistered struct{}

	_, err := app.agg.Send(ctx, "", CreateOrder{})
	require.ErrorIs(t, err, cqrs.ErrEmptyEntityID)
	_, err = app.agg.Send(ctx, "o", Unregistered{})
	require.ErrorIs(t, err, cqrs.ErrNotRegistered)
	_, err = app.agg.Send(ctx, "o", OrderCreated{})
	require.ErrorIs(t, err, cqrs.ErrInvalidRegistration, "an event is not a command")
	_, err = app.svc.EventQueue().Raise(ctx, "o", CreateOrder{})
	require.ErrorIs(t, err, cqrs.ErrInvalidRegistration, "a command is not an event")

	stream, err := app.store.Load(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, stream, "a rejected command is not stored")
	_, found, err := app.view.Get(ctx, "o")
	require.NoError(t, err)
	assert.False(t, found, "nothing was published")
}

func TestEnvelopeRoundTripAndMalformedMetadata(t *testing.T) {
	msg := message.NewMessage("x", nil)
	in := cqrs.Envelope{Type: "a.B", MessageID: "m1", EntityID: "e", Sequence: 9, CorrelationID: "c", CausationID: "k", Replay: true}
	in.WriteTo(msg)
	out, err := cqrs.EnvelopeOf(msg)
	require.NoError(t, err)
	assert.Equal(t, "m1", msg.UUID)
	assert.True(t, out.OccurredAt.IsZero() || out.OccurredAt.Equal(in.OccurredAt))
	out.OccurredAt = in.OccurredAt
	assert.Equal(t, in, out)

	for key, bad := range map[string]string{
		sourceflow.MetaSequence:   "nine",
		sourceflow.MetaOccurredAt: "yesterday",
		sourceflow.MetaReplay:     "perhaps",
	} {
		m := msg.Copy()
		m.Metadata.Set(key, bad)
		_, err := cqrs.EnvelopeOf(m)
		assert.ErrorIs(t, err, cqrs.ErrEnvelope, key)
		assert.Contains(t, err.Error(), key)
	}
	assert.True(t, errors.Is(sourceflow.Permanent(cqrs.ErrDecode), sourceflow.ErrPermanent))
}

// A message that arrives carrying a stale failure marker (say, moved back
// from a dead-letter queue) is retried like any other after a transient
// failure, not dead-lettered at once.
func TestStaleFailureMarkerDoesNotDeadLetter(t *testing.T) {
	var failed atomic.Bool
	flaky := func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			if !failed.Swap(true) {
				return nil, errors.New("database briefly unavailable")
			}
			return h(msg)
		}
	}
	app := newOrderApp(t, cqrs.ServiceConfig{Hooks: cqrs.Hooks{CommandSubscribe: []message.HandlerMiddleware{flaky}}})
	app.start(t)
	msg := rawCommand("orders.CreateOrder", "o-stale", `{"amount":3}`)
	msg.Metadata.Set(sourceflow.MetaFailure, "cqrs: unknown message type")
	pub, err := app.transport.Publisher("orders")
	require.NoError(t, err)
	require.NoError(t, pub.Publish("orders", msg))

	assert.Empty(t, app.transport.DeadLetters())
	s, found, err := app.view.Get(context.Background(), "o-stale")
	require.NoError(t, err)
	require.True(t, found, "handled on the second delivery")
	assert.Equal(t, 3, s.Amount)
}

// TestCorruptStoredStateIsDeadLetteredWithTheReason: a saga document or view
// model that no longer decodes fails its message permanently (dead-lettered
// at once, with the reason), never a panic, and other entities' messages
// flow.
func TestCorruptStoredStateIsDeadLetteredWithTheReason(t *testing.T) {
	for _, tc := range []struct{ name, kind, reason string }{
		{"saga document", "order", `stored order "broken" is corrupt`},
		{"view model", "order-summary", `view order-summary "broken": stored model does not decode`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs := cqrs.NewMemoryStore()
			app := newOrderApp(t, cqrs.ServiceConfig{EntityStore: docs, ViewStore: docs})
			app.start(t)
			ctx := context.Background()
			require.NoError(t, docs.Save(ctx, tc.kind, "broken", []byte("{not json"), 0))

			_, err := app.agg.Send(ctx, "broken", CreateOrder{Amount: 1})
			if tc.kind == "order" {
				require.NoError(t, err, "the sender is not hurt")
			}
			_, err = app.agg.Send(ctx, "fine", CreateOrder{Amount: 2})
			require.NoError(t, err)

			dead := app.transport.DeadLetters()
			require.NotEmpty(t, dead)
			assert.Equal(t, 1, dead[0].Deliveries, "a permanent failure is not redelivered")
			assert.Contains(t, dead[0].Reason, tc.reason)
			s, found, err := app.view.Get(ctx, "fine")
			require.NoError(t, err)
			require.True(t, found, "the other entity's order was handled")
			assert.Equal(t, Summary{Amount: 2, Paid: true, Events: 2}, s)
		})
	}
}

// An event delivered with the replay flag set, which only a replay sets and
// a replay never publishes, is dead-lettered as a malformed envelope: run as
// in a replay, its reaction's command would be dropped without an error.
func TestAnEventDeliveredWithTheReplayFlagIsDeadLettered(t *testing.T) {
	app := newOrderApp(t, cqrs.ServiceConfig{})
	app.start(t)
	msg := message.NewMessage("replayed-event", []byte(`{"orderId":"o-9","amount":4}`))
	cqrs.Envelope{Type: "orders.OrderCreated", MessageID: msg.UUID, EntityID: "o-9", Replay: true}.WriteTo(msg)
	pub, err := app.transport.Publisher("order-events")
	require.NoError(t, err)
	require.NoError(t, pub.Publish("order-events", msg))

	dead := app.transport.DeadLetters()
	require.Len(t, dead, 1, "the event is not acknowledged as handled")
	assert.Equal(t, msg.UUID, dead[0].Message.UUID)
	assert.Contains(t, dead[0].Reason, cqrs.ErrEnvelope.Error())
	cmds, err := app.store.Load(context.Background(), "o-9")
	require.NoError(t, err)
	assert.Empty(t, cmds, "no reaction ran")
}

// A payload's decoding error names the JSON value's kind, not the value: a
// card number or an amount of the wrong type stays out of the dead-letter
// reason and the logs. The sender's message id is quoted, so it cannot
// start a line of its own in a log.
func TestDecodeErrorsKeepPayloadValuesOut(t *testing.T) {
	app, pub, errs := newBadInputApp(t)

	msg := rawCommandID("m\nlevel=ERROR msg=forged", "orders.CreateOrder", "o-1", `{"amount":4111111111111111.5}`)
	require.NoError(t, pub.Publish("orders", msg))

	dead := app.transport.DeadLetters()
	require.Len(t, dead, 1)
	assert.Contains(t, dead[0].Reason, cqrs.ErrDecode.Error())
	assert.NotContains(t, dead[0].Reason, "4111111111111111")
	got := errs.all()
	require.Len(t, got, 1)
	assert.ErrorIs(t, got[0], cqrs.ErrDecode)
	assert.NotContains(t, got[0].Error(), "4111111111111111")
	assert.Contains(t, got[0].Error(), "cannot unmarshal number into field amount of type int")
	var typeErr *json.UnmarshalTypeError
	assert.ErrorAs(t, got[0], &typeErr, "the codec's error is still reached")
	assert.NotContains(t, got[0].Error(), "\n", "the message id is quoted")
}
