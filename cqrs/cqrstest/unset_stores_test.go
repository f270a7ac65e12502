package cqrstest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

func TestUnsetStores(t *testing.T) {
	assert.Equal(t, []string{"CommandStore", "EntityStore", "ViewStore"}, cqrstest.UnsetStores(cqrs.ServiceConfig{}))
	assert.Equal(t, []string{"ViewStore"}, cqrstest.UnsetStores(cqrs.ServiceConfig{
		CommandStore: cqrs.NewMemoryCommandStore(), EntityStore: cqrs.NewMemoryStore(),
	}))
	assert.Empty(t, cqrstest.UnsetStores(cqrs.ServiceConfig{
		CommandStore: cqrs.NewMemoryCommandStore(), EntityStore: cqrs.NewMemoryStore(), ViewStore: cqrs.NewMemoryStore(),
	}))
}
