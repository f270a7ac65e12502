package cqrs_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// decorated is a Transport decorator of a comparable type that may hold a
// transport of an uncomparable one.
type decorated struct{ cqrs.Transport }

// A transport of a comparable type that holds an uncomparable one (a
// decorator embedding it) cannot be told apart by identity either: the
// configuration is refused, naming the field, instead of NewHybridTransport
// panicking when it compares the transports.
func TestHybridConfigRefusesATransportHoldingAnUncomparableOne(t *testing.T) {
	cfg := cqrs.HybridConfig{
		Default:      decorated{uncomparable{Transport: &fakeTransport{name: "aws"}}},
		Commands:     decorated{uncomparable{Transport: &fakeTransport{name: "local"}}},
		Destinations: map[string]cqrs.Transport{"audit": decorated{&fakeTransport{name: "audit"}}},
	}
	var err error
	require.NotPanics(t, func() { _, err = cqrs.NewHybridTransport(cfg) })
	require.Error(t, err)
	assert.ErrorContains(t, err, "HybridConfig.Default: transport type cqrs_test.decorated holds a value that is not comparable")
	assert.ErrorContains(t, err, "HybridConfig.Commands")
	assert.NotContains(t, err.Error(), "audit", "a decorator of a pointer is comparable")
}
