package cqrs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

type evolveOther struct{}

type evolveOtherEvent struct{}

// Sagas (views) of one name and type are one saga (view), whichever
// NewSaga (NewView) returned them: declaring two versions for it would
// have the handlers of the lower one refuse, on every delivery, the
// documents the other stamps. The registration that declares another
// version than the name's is refused, naming both.
func TestEvolve_OneNameDeclaresOneStateVersion(t *testing.T) {
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: "v", Listen: []string{"orders", "events"}})
	h.Must(cqrs.RegisterCommand[evolveBump](h.Service, "evolve.Bump", "orders"))
	h.Must(cqrs.RegisterCommand[evolveOther](h.Service, "evolve.Other", "orders"))
	h.Must(cqrs.RegisterEvent[evolveBumped](h.Service, "evolve.Bumped", "events"))
	h.Must(cqrs.RegisterEvent[evolveOtherEvent](h.Service, "evolve.OtherEvent", "events"))

	h.Must(cqrs.Handle(cqrs.NewSaga[evolveStateV2](h.Service, "order", cqrs.StateVersion(2)),
		func(context.Context, *evolveStateV2, evolveBump, cqrs.Envelope) ([]any, error) { return nil, nil }))
	err := cqrs.Handle(cqrs.NewSaga[evolveStateV2](h.Service, "order"),
		func(context.Context, *evolveStateV2, evolveOther, cqrs.Envelope) ([]any, error) { return nil, nil })
	require.ErrorIs(t, err, cqrs.ErrInvalidRegistration)
	assert.ErrorContains(t, err, `saga "order": StateVersion 0, but another of its registrations declared StateVersion 2`)

	h.Must(cqrs.Project(cqrs.NewView[evolveStateV2](h.Service, "summary", cqrs.StateVersion(1)),
		func(context.Context, *evolveStateV2, evolveBumped, cqrs.Envelope) error { return nil }))
	err = cqrs.Project(cqrs.NewView[evolveStateV2](h.Service, "summary", cqrs.StateVersion(3)),
		func(context.Context, *evolveStateV2, evolveOtherEvent, cqrs.Envelope) error { return nil })
	require.ErrorIs(t, err, cqrs.ErrInvalidRegistration)
	assert.ErrorContains(t, err, `view "summary": StateVersion 3, but another of its registrations declared StateVersion 1`)

	h.Must(cqrs.Project(cqrs.NewView[evolveStateV2](h.Service, "summary", cqrs.StateVersion(1)),
		func(context.Context, *evolveStateV2, evolveOtherEvent, cqrs.Envelope) error { return nil }))
}
