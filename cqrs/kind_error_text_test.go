package cqrs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

type kindCmd struct{}
type kindEvt struct{}

// Sending an event as a command, or raising a command as an event, is
// refused with a message that reads as English.
func TestKindErrorNamesBothKindsWithTheirArticles(t *testing.T) {
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "kinds"})
	require.NoError(t, err)
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[kindCmd](svc, "kinds.Cmd", "kinds"),
		cqrs.RegisterEvent[kindEvt](svc, "kinds.Evt", "kinds-events"),
	))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { _ = svc.Close() })

	_, err = cqrs.NewAggregate(svc, "kinds").Send(context.Background(), "k-1", kindEvt{})
	require.ErrorIs(t, err, cqrs.ErrInvalidRegistration)
	assert.EqualError(t, err, "cqrs: kinds.Evt is registered as an event, not a command")

	_, err = svc.EventQueue().Raise(context.Background(), "k-1", kindCmd{})
	require.ErrorIs(t, err, cqrs.ErrInvalidRegistration)
	assert.EqualError(t, err, "cqrs: kinds.Cmd is registered as a command, not an event")
}
