package cqrs

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// fuzzOrder is the command type of the dispatch fuzz target.
type fuzzOrder struct {
	ID     string            `json:"id"`
	Amount int64             `json:"amount"`
	Lines  []fuzzLine        `json:"lines"`
	Tags   map[string]string `json:"tags"`
	Note   *string           `json:"note"`
}

type fuzzLine struct {
	SKU    string  `json:"sku"`
	Weight float64 `json:"weight"`
	Gift   bool    `json:"gift"`
}

// fuzzCancel is registered on the command destination without a handler.
type fuzzCancel struct{ Reason string }

// fuzzShipped is the event type; two handlers consume it.
type fuzzShipped struct {
	Order string   `json:"order"`
	Boxes []uint16 `json:"boxes"`
}

// dispatchCall is one run of a typed handler.
type dispatchCall struct {
	handler string
	value   any
	env     Envelope
	fromCtx Envelope
}

// dispatchFixture is a service with one listened command destination and
// one listened event destination, and the handler runs it recorded.
type dispatchFixture struct {
	svc   *Service
	calls []dispatchCall
}

func newDispatchFixture(f *testing.F) *dispatchFixture {
	svc, err := NewService(ServiceConfig{Name: "fuzz", Listen: []string{"orders", "order-events"}})
	require.NoError(f, err)
	fx := &dispatchFixture{svc: svc}
	require.NoError(f, RegisterCommand[fuzzOrder](svc, "orders.Place", "orders"))
	require.NoError(f, RegisterCommand[fuzzCancel](svc, "orders.Cancel", "orders"))
	require.NoError(f, RegisterEvent[fuzzShipped](svc, "orders.Shipped", "order-events"))
	require.NoError(f, addTypedHandler(svc, sourceflow.KindCommand, "saga", nil, record[fuzzOrder](fx, "saga")))
	require.NoError(f, addTypedHandler(svc, sourceflow.KindEvent, "view", nil, record[fuzzShipped](fx, "view")))
	require.NoError(f, addTypedHandler(svc, sourceflow.KindEvent, "react", nil, record[fuzzShipped](fx, "react")))
	return fx
}

func record[T any](fx *dispatchFixture, name string) func(context.Context, T, Envelope) error {
	return func(ctx context.Context, v T, env Envelope) error {
		fromCtx, _ := EnvelopeFromContext(ctx)
		fx.calls = append(fx.calls, dispatchCall{handler: name, value: v, env: env, fromCtx: fromCtx})
		return nil
	}
}

// FuzzDispatch dispatches arbitrary types, entity ids, sequences and
// payloads. A message reaches the handlers of its type only when its
// envelope reads, its type is handled on its destination, a command names an
// entity and the payload decodes; each handler then runs once with the
// decoded value and the envelope. Every refusal is permanent and names its
// sentinel, and no handler runs.
func FuzzDispatch(f *testing.F) {
	fx := newDispatchFixture(f)
	note := "leave at door"
	for _, seed := range []struct {
		event   bool
		env     Envelope
		payload any
	}{
		{false, Envelope{Type: "orders.Place", EntityID: "o-1", Sequence: 1}, fuzzOrder{ID: "o-1", Amount: 7,
			Lines: []fuzzLine{{SKU: "a", Weight: 0.5, Gift: true}}, Tags: map[string]string{"k": "v"}, Note: &note}},
		{false, Envelope{Type: "orders.Place", Sequence: 2}, fuzzOrder{}},
		{false, Envelope{Type: "orders.Cancel", EntityID: "o-1"}, fuzzCancel{Reason: "late"}},
		{true, Envelope{Type: "orders.Shipped", EntityID: "o-1"}, fuzzShipped{Order: "o-1", Boxes: []uint16{1, 65535}}},
		{true, Envelope{Type: "orders.Place", EntityID: "o-1"}, fuzzShipped{}},
	} {
		payload, err := JSONCodec{}.Marshal(seed.payload)
		require.NoError(f, err)
		msg := message.NewMessage("m-1", payload)
		seed.env.WriteTo(msg)
		f.Add(seed.event, msg.Metadata.Get(sourceflow.MetaType), msg.Metadata.Get(sourceflow.MetaEntityID),
			msg.Metadata.Get(sourceflow.MetaSequence), payload)
	}
	f.Add(false, "orders.Place", "o-1", "x", []byte(`{"amount":"many"}`))
	f.Add(true, "", "o-1", "", []byte(`null`))
	f.Fuzz(func(t *testing.T, event bool, typ, entity, seq string, payload []byte) {
		dest := map[bool]string{false: "orders", true: "order-events"}[event]
		msg := message.NewMessage("m-1", payload)
		for k, v := range map[string]string{sourceflow.MetaType: typ, sourceflow.MetaEntityID: entity, sourceflow.MetaSequence: seq} {
			if v != "" {
				msg.Metadata.Set(k, v)
			}
		}
		fx.calls = nil
		_, err := fx.svc.dispatchers[dest].handle(msg)
		want := expectDispatch(t, event, msg)
		if want.err != nil {
			require.ErrorIs(t, err, want.err)
			// A type no handler takes is retried (a newer instance may
			// take it); this delivery is not marked the last.
			require.Equal(t, !errors.Is(want.err, ErrUnknownType), sourceflow.IsPermanent(err), "permanent: %v", err)
			require.Empty(t, fx.calls, "a handler ran for a refused message")
			return
		}
		require.NoError(t, err)
		require.Len(t, fx.calls, len(want.handlers))
		for i, c := range fx.calls {
			require.Equal(t, want.handlers[i], c.handler)
			require.Equal(t, want.value, c.value)
			require.Equal(t, want.env, c.env)
			require.Equal(t, want.env, c.fromCtx)
		}
	})
}

// dispatchOutcome is what dispatching a message must do.
type dispatchOutcome struct {
	err      error
	handlers []string
	value    any
	env      Envelope
}

// expectDispatch works out, independently of the dispatcher, what
// dispatching msg on the fixture's command (or event) destination does.
func expectDispatch(t *testing.T, event bool, msg *message.Message) dispatchOutcome {
	env, err := EnvelopeOf(msg)
	if err != nil {
		return dispatchOutcome{err: ErrEnvelope}
	}
	var out dispatchOutcome
	switch {
	case !event && env.Type == "orders.Place" && env.EntityID == "":
		return dispatchOutcome{err: ErrEmptyEntityID}
	case !event && env.Type == "orders.Place":
		out.value, err = decodeTwice[fuzzOrder](t, msg.Payload)
		out.handlers = []string{"saga"}
	case event && env.Type == "orders.Shipped":
		out.value, err = decodeTwice[fuzzShipped](t, msg.Payload)
		out.handlers = []string{"view", "react"}
	default:
		return dispatchOutcome{err: ErrUnknownType}
	}
	if err != nil {
		return dispatchOutcome{err: ErrDecode}
	}
	out.env = env
	return out
}

// decodeTwice decodes payload into a T and checks that the value encodes
// and decodes to itself.
func decodeTwice[T any](t *testing.T, payload []byte) (T, error) {
	var v T
	if err := json.Unmarshal(payload, &v); err != nil {
		return v, err
	}
	b, err := JSONCodec{}.Marshal(v)
	require.NoError(t, err)
	var again T
	require.NoError(t, JSONCodec{}.Unmarshal(b, &again))
	require.Equal(t, v, again, "decoded value does not survive encoding")
	return v, nil
}
