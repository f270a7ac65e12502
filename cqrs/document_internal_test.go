package cqrs

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loadDocument tells a stored document, one not stored (found false, no
// error) and a store failure (named with the kind and the id) apart.
func TestLoadDocument(t *testing.T) {
	ctx := context.Background()
	store := NewMemoryStore()
	require.NoError(t, store.Save(ctx, "orders", "o-1", []byte(`{"n":1}`), 0))

	doc, found, err := loadDocument(ctx, store, "orders", "o-1")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, Document{Data: []byte(`{"n":1}`), Version: 1}, doc)

	doc, found, err = loadDocument(ctx, store, "orders", "o-2")
	require.NoError(t, err)
	assert.False(t, found)
	assert.Equal(t, Document{}, doc)

	_, found, err = loadDocument(ctx, failingLoads{store}, "orders", "o-1")
	assert.False(t, found)
	assert.ErrorIs(t, err, errUnreachable)
	assert.EqualError(t, err, `cqrs: load orders "o-1": store unreachable`)
}

var errUnreachable = errors.New("store unreachable")

// failingLoads is a document store whose loads fail.
type failingLoads struct{ DocumentStore }

func (failingLoads) Load(context.Context, string, string) (Document, error) {
	return Document{}, errUnreachable
}
