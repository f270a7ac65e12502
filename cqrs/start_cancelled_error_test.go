package cqrs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

type startProbe struct{}

// A Start whose context ended says which service did not start, and keeps
// the cause, instead of a bare "context canceled" that names nothing.
func TestStartWhoseContextEndedNamesTheService(t *testing.T) {
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "billing", Listen: []string{"billing"}})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[startProbe](svc, "billing.Probe", "billing"))
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[struct{}](svc, "probe"),
		func(context.Context, *struct{}, startProbe, cqrs.Envelope) ([]any, error) { return nil, nil }))
	t.Cleanup(func() { _ = svc.Close() })

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = svc.Start(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.ErrorContains(t, err, `"billing"`)

	require.NoError(t, svc.Start(context.Background()), "and the Start may be retried")
}
