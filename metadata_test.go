package sourceflow_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

func TestReservedKeys(t *testing.T) {
	for _, k := range sourceflow.EnvelopeKeys() {
		assert.True(t, sourceflow.IsEnvelopeKey(k), k)
		assert.True(t, sourceflow.IsReserved(k), k)
	}
	for _, k := range []string{sourceflow.MetaType, sourceflow.MetaTraceParent, sourceflow.MetaTraceState, sourceflow.MetaEncryption, sourceflow.MetaEnvelope} {
		assert.False(t, sourceflow.IsEnvelopeKey(k), k)
		assert.True(t, sourceflow.IsReserved(k), k)
	}
	assert.False(t, sourceflow.IsReserved("customer_header"))
}

func TestPermanent(t *testing.T) {
	assert.NoError(t, sourceflow.Permanent(nil))
	base := errors.New("x")
	once := sourceflow.Permanent(base)
	assert.Equal(t, once, sourceflow.Permanent(once), "wrapping twice returns the same error")
	assert.ErrorIs(t, once, base)
	assert.ErrorIs(t, once, sourceflow.ErrPermanent)
	assert.Equal(t, "x", once.Error())
}

func TestBindingRouteOf(t *testing.T) {
	b := sourceflow.Binding{Routes: []sourceflow.Route{{Type: "a", Kind: sourceflow.KindEvent, Destination: "t"}}}
	r, ok := b.RouteOf("a")
	assert.True(t, ok)
	assert.Equal(t, "t", r.Destination)
	_, ok = b.RouteOf("b")
	assert.False(t, ok)
	assert.Equal(t, "event", sourceflow.KindEvent.String())
	assert.Equal(t, "command", sourceflow.KindCommand.String())
	assert.Equal(t, "unknown", sourceflow.Kind(0).String())
}

func TestKindContext(t *testing.T) {
	_, ok := sourceflow.KindFromContext(context.Background())
	assert.False(t, ok)
	k, ok := sourceflow.KindFromContext(sourceflow.ContextWithKind(context.Background(), sourceflow.KindEvent))
	assert.True(t, ok)
	assert.Equal(t, sourceflow.KindEvent, k)
}
