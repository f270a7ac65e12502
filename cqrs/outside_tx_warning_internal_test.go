package cqrs

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

type warnedCmd struct{ ID string }

type warnedState struct{ N int }

// Once a saga on a memory store was warned of, its handlings in a handling
// transaction cost the warning's check no allocation.
func TestOutsideTx_CheckAllocatesNothingOnceWarned(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	svc, err := NewService(ServiceConfig{Name: "hotel", Logger: logs, Listen: []string{"bookings"}})
	require.NoError(t, err)
	require.NoError(t, RegisterCommand[warnedCmd](svc, "hotel.Warned", "bookings"))
	require.NoError(t, Handle(NewSaga[warnedState](svc, "stay"),
		func(context.Context, *warnedState, warnedCmd, Envelope) ([]any, error) { return nil, nil }))
	d := svc.dispatchers["bookings"]
	h := d.handlers["hotel.Warned"][0]
	ctx := sourceflow.ContextInHandlingTx(context.Background())
	d.outsideTx.check(ctx, h)
	require.Len(t, logs.Captured()[watermill.InfoLogLevel], 1)
	assert.Zero(t, fewestAllocs(func() { d.outsideTx.check(ctx, h) }))
	assert.Len(t, logs.Captured()[watermill.InfoLogLevel], 1, "warned once")
}
