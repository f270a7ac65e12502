package cqrs

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// conflictingStore finds nothing and refuses every save as a conflict.
type conflictingStore struct{ saves int }

func (s *conflictingStore) Load(context.Context, string, string) (Document, error) {
	return Document{}, ErrNotFound
}

func (s *conflictingStore) Save(context.Context, string, string, []byte, int64) error {
	s.saves++
	return ErrConflict
}

// An update that keeps conflicting gives up after conflictAttempts saves,
// naming the document, with the last conflict wrapped.
func TestUpdateDocumentGivesUpNamingTheDocument(t *testing.T) {
	store := &conflictingStore{}
	err := updateDocument(context.Background(), store, "orders", "o-1", func(context.Context, []byte, bool) ([]byte, bool, error) {
		return []byte("{}"), true, nil
	})
	require.ErrorIs(t, err, ErrConflict)
	assert.Equal(t, conflictAttempts, store.saves)
	last := fmt.Errorf("cqrs: save orders %s: %w", quotedID("o-1"), ErrConflict)
	assert.EqualError(t, err, fmt.Sprintf("cqrs: orders %s: gave up after %d conflicting saves: %v", quotedID("o-1"), conflictAttempts, last))
}

// retryConflicts runs again only after a conflict, and returns any other
// result of an attempt as it is.
func TestRetryConflictsStopsAtTheFirstOtherResult(t *testing.T) {
	other := errors.New("boom")
	for _, want := range []error{nil, other} {
		runs := 0
		err := retryConflicts(func() error {
			if runs++; runs < 3 {
				return ErrConflict
			}
			return want
		}, func() string { return "cqrs: " })
		assert.Equal(t, want, err)
		assert.Equal(t, 3, runs)
	}
}

// The give-up texts of an outbox's transaction and of a replay's commit.
func TestRetryConflictsGiveUpText(t *testing.T) {
	for what, want := range map[string]string{
		"cqrs: ":                                 "cqrs: gave up after %d conflicting saves: %v",
		"cqrs: replay of " + quotedID("e") + " ": "cqrs: replay of " + quotedID("e") + " gave up after %d conflicting saves: %v",
	} {
		runs := 0
		err := retryConflicts(func() error { runs++; return ErrConflict }, func() string { return what })
		require.ErrorIs(t, err, ErrConflict)
		assert.Equal(t, conflictAttempts, runs)
		assert.EqualError(t, err, fmt.Sprintf(want, conflictAttempts, ErrConflict))
	}
}
