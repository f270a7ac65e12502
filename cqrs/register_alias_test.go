package cqrs_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

type renamedBump struct {
	By int `json:"by"`
}

type renamedOther struct{}

type renamedState struct {
	Count int `json:"count"`
}

// renamedService is a version of the "order" service over cmds and docs,
// on tr, that registers renamedBump as name (with opts) and records the
// envelopes its saga handles.
func renamedService(t *testing.T, tr cqrs.Transport, cmds cqrs.CommandStore, docs cqrs.EntityStore, name string,
	seen *recorder[cqrs.Envelope], opts ...cqrs.RegisterOption) (*cqrstest.Harness, *cqrs.Saga[renamedState]) {
	t.Helper()
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: "order", CommandStore: cmds, EntityStore: docs,
		Listen: []string{"orders"}, Transport: tr})
	h.Must(cqrs.RegisterCommand[renamedBump](h.Service, name, "orders", opts...))
	saga := cqrs.NewSaga[renamedState](h.Service, "order")
	h.Must(cqrs.Handle(saga, func(_ context.Context, s *renamedState, b renamedBump, env cqrs.Envelope) ([]any, error) {
		seen.add(env)
		s.Count += b.By
		return nil, nil
	}))
	h.Start()
	return h, saga
}

// A type renamed with its old name as an alias takes the messages still
// queued under the old name: they are handled as the type's, its handlers
// see the type's name, and nothing is dead-lettered.
func TestAnAliasedTypeHandlesMessagesOfItsOlderName(t *testing.T) {
	ctx := context.Background()
	var seen recorder[cqrs.Envelope]
	tr := newTransport(t)
	_, state := renamedService(t, tr, cqrs.NewMemoryCommandStore(), cqrs.NewMemoryStore(), "bump.V2", &seen, cqrs.Aliases("bump.V1"))
	pub, err := tr.Publisher("orders")
	require.NoError(t, err)

	require.NoError(t, pub.Publish("orders", rawCommand("bump.V1", "e-1", `{"by":3}`)))

	got, found, err := state.Load(ctx, "e-1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, renamedState{Count: 3}, got)
	assert.Empty(t, tr.DeadLetters())
	envs := seen.all()
	require.Len(t, envs, 1)
	assert.Equal(t, "bump.V2", envs[0].Type, "the handler sees the type's name")
}

// The commands an older version stored under the old name replay as the
// type's, and a send uses the type's name only.
func TestAnAliasedTypeReplaysCommandsStoredUnderItsOlderName(t *testing.T) {
	ctx := context.Background()
	cmds, docs := cqrs.NewMemoryCommandStore(), cqrs.NewMemoryStore()
	var seen recorder[cqrs.Envelope]
	older, _ := renamedService(t, newTransport(t), cmds, docs, "bump.V1", &seen)
	_, err := cqrs.NewAggregate(older.Service, "o").Send(ctx, "e-1", renamedBump{By: 10})
	require.NoError(t, err)
	newer, state := renamedService(t, newTransport(t), cmds, docs, "bump.V2", &seen, cqrs.Aliases("bump.V1"))
	agg := cqrs.NewAggregate(newer.Service, "o")
	sent, err := agg.Send(ctx, "e-1", renamedBump{By: 1})
	require.NoError(t, err)
	assert.Equal(t, "bump.V2", sent.Type, "a send uses the type's name")

	report, err := agg.Replay(ctx, "e-1")
	require.NoError(t, err)
	assert.Equal(t, cqrs.ReplayReport{Commands: 2, Handled: 2}, report)
	got, _, err := state.Load(ctx, "e-1")
	require.NoError(t, err)
	assert.Equal(t, renamedState{Count: 11}, got, "rebuilt with the command stored under the older name")
}

func TestAliasesRefuseANameTakenEmptyOrRetired(t *testing.T) {
	svc := newService(t, newTransport(t), "web")
	require.NoError(t, cqrs.RetireType(svc, "bump.Gone"))
	tests := map[string]struct {
		aliases []string
		target  error
	}{
		"a registered name": {[]string{"orders.CreateOrder"}, cqrs.ErrDuplicateType},
		"the type's name":   {[]string{"bump.V2"}, cqrs.ErrDuplicateType},
		"an alias twice":    {[]string{"bump.V1", "bump.V1"}, cqrs.ErrDuplicateType},
		"an empty alias":    {[]string{""}, cqrs.ErrInvalidRegistration},
		"a retired name":    {[]string{"bump.Gone"}, cqrs.ErrInvalidRegistration},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			err := cqrs.RegisterCommand[renamedBump](svc, "bump.V2", "orders", cqrs.Aliases(tt.aliases...))
			assert.ErrorIs(t, err, tt.target)
		})
	}
	require.NoError(t, cqrs.RegisterCommand[renamedBump](svc, "bump.V2", "orders", cqrs.Aliases("bump.V1")),
		"a refused registration registered nothing")
	assert.ErrorIs(t, cqrs.RegisterCommand[renamedOther](svc, "bump.V1", "orders"), cqrs.ErrDuplicateType,
		"an alias is taken as a name is")
	assert.ErrorIs(t, cqrs.RetireType(svc, "bump.V1"), cqrs.ErrInvalidRegistration)
}

type renamedBumped struct{}

// wireRecorder is a publisher that records the message id and type of
// each message it publishes, as they travel.
type wireRecorder struct {
	message.Publisher
	sent *recorder[string]
}

func (p wireRecorder) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		p.sent.add(m.UUID + " " + m.Metadata.Get(sourceflow.MetaType))
	}
	return p.Publisher.Publish(topic, msgs...)
}

// renamedRaiser is a version of the "order" service over docs, on tr,
// whose saga raises renamedBumped, registered as event (with opts), for
// each "bump.V2"; events it hears on "events" go to heard, and the id and
// type of each event it raises, as sent, to sent.
func renamedRaiser(t *testing.T, tr cqrs.Transport, docs cqrs.EntityStore, event string, heard *recorder[cqrs.Envelope],
	sent *recorder[string], opts ...cqrs.RegisterOption) *cqrs.Aggregate {
	t.Helper()
	record := func(pub message.Publisher) (message.Publisher, error) { return wireRecorder{pub, sent}, nil }
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: "order", EntityStore: docs, Listen: []string{"orders", "events"}, Transport: tr,
		Hooks: cqrs.Hooks{EventDispatch: []message.PublisherDecorator{record}}})
	h.Must(cqrs.RegisterCommand[renamedBump](h.Service, "bump.V2", "orders"))
	h.Must(cqrs.RegisterEvent[renamedBumped](h.Service, event, "events", opts...))
	h.Must(cqrs.Handle(cqrs.NewSaga[renamedState](h.Service, "order"),
		func(_ context.Context, s *renamedState, b renamedBump, _ cqrs.Envelope) ([]any, error) {
			s.Count += b.By
			return []any{renamedBumped{}}, nil
		}))
	agg := cqrs.NewAggregate(h.Service, "o")
	h.Must(cqrs.React(agg, func(_ context.Context, _ *cqrs.Aggregate, _ renamedBumped, env cqrs.Envelope) error {
		heard.add(env)
		return nil
	}))
	h.Start()
	return agg
}

// A command one version handled is delivered again to the other, during
// the deploy that changes the name the event type is sent under (its first
// version sends the old name with the new one as an alias, the second the
// reverse): the saga raises again the events it remembers, under the name
// and id they were first raised with, and its handlers see the type's name.
func TestAnAliasedTypeRaisesAgainTheEventsASagaRememberedUnderItsOtherName(t *testing.T) {
	tests := map[string]struct{ first, then, alias string }{
		"older, then newer": {first: "bumped.V1", then: "bumped.V2", alias: "bumped.V1"},
		"newer, then older": {first: "bumped.V2", then: "bumped.V1", alias: "bumped.V2"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			docs := cqrs.NewMemoryStore()
			var firstHeard, thenHeard recorder[cqrs.Envelope]
			var firstSent, thenSent recorder[string]
			first := renamedRaiser(t, newTransport(t), docs, tt.first, &firstHeard, &firstSent, cqrs.Aliases(tt.then))
			sent, err := first.Send(ctx, "e-1", renamedBump{By: 1})
			require.NoError(t, err)
			tr := newTransport(t)
			renamedRaiser(t, tr, docs, tt.then, &thenHeard, &thenSent, cqrs.Aliases(tt.alias))
			pub, err := tr.Publisher("orders")
			require.NoError(t, err)

			require.NoError(t, pub.Publish("orders", rawCommandID(sent.MessageID, "bump.V2", "e-1", `{"by":1}`)))

			assert.Empty(t, tr.DeadLetters())
			heard := thenHeard.all()
			require.Len(t, heard, 1, "the remembered event was raised again")
			assert.Equal(t, tt.then, heard[0].Type, "its handlers see the type's name")
			require.Len(t, firstSent.all(), 1)
			assert.Equal(t, firstSent.all(), thenSent.all(),
				"raised again under the id and the name it was first raised with, so that consumers' idempotency, keyed by both, drops it")
		})
	}
}
