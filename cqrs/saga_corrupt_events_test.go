package cqrs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A saga document whose applied commands' events no longer decode is
// corrupt for every command of its entity, not only for a redelivered one:
// a new command is dead-lettered at once and the document is not written
// back with the undecodable events in it.
func TestSagaDocumentWithUndecodableEventsIsRefused(t *testing.T) {
	docs := cqrs.NewMemoryStore()
	app := newOrderApp(t, cqrs.ServiceConfig{EntityStore: docs, ViewStore: docs})
	app.start(t)
	ctx := context.Background()
	const stored = `{"state":"e30=","recent":[{"id":"m-0","events":{"type":1}}]}`
	require.NoError(t, docs.Save(ctx, "order", "broken", []byte(stored), 0))

	_, err := app.agg.Send(ctx, "broken", CreateOrder{Amount: 1})
	require.NoError(t, err, "the sender is not hurt")

	dead := app.transport.DeadLetters()
	require.NotEmpty(t, dead)
	assert.Equal(t, 1, dead[0].Deliveries, "a permanent failure is not redelivered")
	assert.Contains(t, dead[0].Reason, `stored order "broken" is corrupt`)
	doc, err := docs.Load(ctx, "order", "broken")
	require.NoError(t, err)
	assert.JSONEq(t, stored, string(doc.Data), "the document is left as it was")
}
