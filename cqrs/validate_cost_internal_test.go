package cqrs

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// plainPlace is a command without a Validate method.
type plainPlace struct {
	Item string
	Qty  int
}

// A type without a Validate method costs nothing per message for the
// check: encoding it for a send allocates what its codec does, and
// decoding it for a handler what its codec does into a new value.
func TestValidateCostsNothingForTypesWithoutIt(t *testing.T) {
	s, err := NewService(ServiceConfig{Name: "shop"})
	require.NoError(t, err)
	require.NoError(t, RegisterCommand[plainPlace](s, "shop.PlainPlace", "plain-places"))
	info, err := typeInfoOf[plainPlace](s, sourceflow.KindCommand)
	require.NoError(t, err)
	var v any = plainPlace{Item: "book", Qty: 2}
	payload, err := JSONCodec{}.Marshal(v)
	require.NoError(t, err)
	env := Envelope{Type: info.name}

	marshal := fewestAllocs(func() { _, _ = JSONCodec{}.Marshal(v) })
	encode := fewestAllocs(func() { _, _, _ = s.encodeMessage(v, sourceflow.KindCommand, nil) })
	assert.Equal(t, marshal, encode, "allocations of encodeMessage beyond the codec's")

	unmarshal := fewestAllocs(func() {
		var p plainPlace
		_ = JSONCodec{}.Unmarshal(payload, &p)
	})
	decoded := fewestAllocs(func() { _, _ = decode[plainPlace](JSONCodec{}, env, payload, info.validates) })
	assert.Equal(t, unmarshal, decoded, "allocations of decode beyond the codec's")
}
