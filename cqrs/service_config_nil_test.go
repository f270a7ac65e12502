package cqrs_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A transport or store variable declared but never assigned is a nil
// pointer in a non-nil interface: NewService refuses it, naming the field,
// instead of taking it for a set field and panicking at Start.
func TestNewServiceRefusesTypedNilFields(t *testing.T) {
	var transport *cqrs.ChannelTransport
	var store *cqrs.MemoryStore
	_, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: transport, EntityStore: store})
	require.Error(t, err)
	assert.ErrorContains(t, err, "cqrs: ServiceConfig.Transport: nil *cqrs.ChannelTransport, must be non-nil or left unset")
	assert.ErrorContains(t, err, "cqrs: ServiceConfig.EntityStore: nil *cqrs.MemoryStore, must be non-nil or left unset")

	_, err = cqrs.NewService(cqrs.ServiceConfig{Name: "orders"})
	require.NoError(t, err, "fields left unset take their defaults")
}
