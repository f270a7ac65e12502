package cqrs

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// A handled message whose correlation id and message id are both refused
// (sourceflow.ValidCorrelationID) still puts all the messages its handling
// sends into one flow, the same on a redelivery: the correlation
// middleware's id when it set one, else one derived from the message id.
func TestLineageKeepsOneFlowWhenTheIncomingIDsAreRefused(t *testing.T) {
	in := Envelope{MessageID: strings.Repeat("m", 300), CorrelationID: "flow\x1b[31m"}
	ctx := withIncoming(context.Background(), in, "orders.handler")

	first, causation, _ := lineage(ctx, "sent-1")
	second, _, _ := lineage(ctx, "sent-2")
	again, _, _ := lineage(withIncoming(context.Background(), in, "orders.handler"), "sent-3")

	assert.True(t, sourceflow.ValidCorrelationID(first), first)
	assert.Equal(t, first, second, "the messages of one handling share a flow")
	assert.Equal(t, first, again, "a redelivery joins the same flow")
	assert.Empty(t, causation, "a refused message id is not named as the cause")

	withMiddleware := sourceflow.ContextWithCorrelationID(ctx, "uuid-from-middleware")
	fromMiddleware, _, _ := lineage(withMiddleware, "sent-4")
	assert.Equal(t, "uuid-from-middleware", fromMiddleware)
}
