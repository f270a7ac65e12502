package cqrs_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

// Version 0 of the "up.Place" command carried whole units in Amount;
// version 1 carries cents in Cents. An older name, "up.OldPlace", carried
// units in Amt, at no payload version (0).
type (
	upPlaceV0  struct{ Amount int }
	upPlace    struct{ Cents int }
	upOldPlace struct{ Amt int }
	upTotal    struct{ Cents int }
)

// upFromV0 turns a version 0 payload into version 1's.
func upFromV0(raw []byte) ([]byte, error) {
	var v0 upPlaceV0
	if err := json.Unmarshal(raw, &v0); err != nil {
		return nil, err
	}
	if v0.Amount < 0 {
		return nil, errors.New("a negative amount has no cents")
	}
	return json.Marshal(upPlace{Cents: v0.Amount * 100})
}

// upFromOldName turns an "up.OldPlace" payload into "up.Place"'s of the
// same payload version, 0; upFromV0 then takes it on to version 1.
func upFromOldName(raw []byte) ([]byte, error) {
	var old upOldPlace
	if err := json.Unmarshal(raw, &old); err != nil {
		return nil, err
	}
	return json.Marshal(upPlaceV0{Amount: old.Amt})
}

// upConsumer starts the newer version: "up.Place" at payload version 1,
// with its upcasters, whose saga sums the cents of an entity's commands.
func upConsumer(t *testing.T, tr cqrs.Transport, store cqrs.CommandStore) (*cqrstest.Harness, *cqrs.Saga[upTotal], *recorder[int]) {
	t.Helper()
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: "shop", Transport: tr, CommandStore: store, Listen: []string{"up-places"}})
	h.Must(cqrs.RegisterCommand[upPlace](h.Service, "up.Place", "up-places", cqrs.Aliases("up.OldPlace"),
		cqrs.PayloadVersion(1), cqrs.Upcast(0, upFromV0), cqrs.UpcastAlias("up.OldPlace", upFromOldName)))
	var seen recorder[int]
	saga := cqrs.NewSaga[upTotal](h.Service, "total")
	h.Must(cqrs.Handle(saga, func(_ context.Context, s *upTotal, c upPlace, env cqrs.Envelope) ([]any, error) {
		if env.PayloadVersion != 1 {
			return nil, errors.New("the handler is given the payload at the version it decodes")
		}
		seen.add(c.Cents)
		s.Cents += c.Cents
		return nil, nil
	}))
	h.Start()
	return h, saga, &seen
}

// An older sender's payloads, of the same name at version 0 and of the
// older name, reach the handler in the current shape; so do they when
// the stored commands are replayed. An upcaster's error dead-letters its
// message at once with the reason, and the next message is handled.
func TestUpcastersTurnOlderPayloadsIntoTheCurrentShape(t *testing.T) {
	ctx := context.Background()
	tr, store := newTransport(t), cqrs.NewMemoryCommandStore()
	consumer, saga, seen := upConsumer(t, tr, store)
	older := cqrstest.New(t, cqrs.ServiceConfig{Name: "front", Transport: tr, CommandStore: store})
	older.Must(cqrs.RegisterCommand[upPlaceV0](older.Service, "up.Place", "up-places"))
	older.Must(cqrs.RegisterCommand[upOldPlace](older.Service, "up.OldPlace", "up-places"))
	older.Start()
	front := cqrs.NewAggregate(older.Service, "front")

	for _, cmd := range []any{upPlaceV0{Amount: 5}, upOldPlace{Amt: 7}} {
		_, err := front.Send(ctx, "o-1", cmd)
		require.NoError(t, err)
	}
	_, err := front.Send(ctx, "o-2", upPlaceV0{Amount: -1})
	require.NoError(t, err)
	env, err := cqrs.NewAggregate(consumer.Service, "shop").Send(ctx, "o-1", upPlace{Cents: 250})
	require.NoError(t, err)
	assert.Equal(t, 1, env.PayloadVersion, "a send is stamped with the type's payload version")

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Equal(c, []int{500, 700, 250}, seen.all())
		assert.Len(c, tr.DeadLetters(), 1)
	}, 10*time.Second, 5*time.Millisecond, "each payload upcast once, the one whose upcaster fails dead-lettered")
	dead := tr.DeadLetters()[0]
	assert.Equal(t, 1, dead.Deliveries, "an upcaster's error is permanent")
	assert.Contains(t, dead.Reason, `cqrs: payload does not upcast: "up.Place" from version 0: a negative amount has no cents`)

	report, err := consumer.Service.Replay(ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, 3, report.Handled)
	total, _, err := saga.Load(ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, 1450, total.Cents, "the state rebuilt from the stored commands, each upcast")
}
