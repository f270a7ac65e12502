package cqrstest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

type Ping struct{ N int }

func TestHarnessRunsAServiceAndSeesDeadLetters(t *testing.T) {
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: "svc", Listen: []string{"pings"}})
	var seen cqrstest.Recorder[Ping]
	h.Must(cqrs.RegisterEvent[Ping](h.Service, "test.Ping", "pings"))
	h.Must(cqrs.React(cqrs.NewAggregate(h.Service, "a"), seen.Reaction()))
	h.Start()

	for i := range 3 {
		_, err := h.Service.EventQueue().Raise(context.Background(), "e", Ping{N: i})
		require.NoError(t, err)
	}
	require.Equal(t, 3, seen.Len())
	for i, r := range seen.Records() {
		assert.Equal(t, i, r.Message.N)
		assert.Equal(t, "test.Ping", r.Envelope.Type)
	}
	assert.Empty(t, h.Transport.DeadLetters())
}
