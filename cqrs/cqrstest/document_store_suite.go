package cqrstest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// NewDocumentStoreFunc returns a fresh, empty document store for one subtest.
type NewDocumentStoreFunc func(t *testing.T) cqrs.DocumentStore

// DocumentOptions tunes the document suite to a store's limits.
type DocumentOptions struct {
	// LargeDocument is the size in bytes of the largest document the suite
	// saves and loads back. Default 1 MiB.
	LargeDocument int
}

// RunDocumentStore runs the DocumentStore (EntityStore, ViewStore)
// conformance suite against the stores newStore returns.
func RunDocumentStore(t *testing.T, newStore NewDocumentStoreFunc, opts DocumentOptions) {
	t.Helper()
	opts.LargeDocument = cmp.Or(opts.LargeDocument, 1<<20)
	runSuite(t, []suiteCase[cqrs.DocumentStore]{
		{"MissingIsNotFound", testDocMissing},
		{"SaveLoadVersions", testDocVersions},
		{"StaleSaveConflicts", testDocStaleSave},
		{"SecondCreateConflicts", testDocSecondCreate},
		{"SaveOfAnAbsentDocumentAtAVersionConflicts", testDocAbsentAtVersion},
		{"KindsAndIDsAreSeparate", testDocScopes},
		{"EmptyDocumentLoads", testDocEmpty},
		{"ConcurrentIncrementsAllApply", testDocConcurrentIncrements},
		{"LargeDocument", func(t *testing.T, s cqrs.DocumentStore) { testDocLarge(t, s, opts.LargeDocument) }},
	}, func(t *testing.T, _ int) cqrs.DocumentStore { return newStore(t) })
}

func testDocMissing(t *testing.T, s cqrs.DocumentStore) {
	_, err := s.Load(context.Background(), "order", "nope")
	assert.ErrorIs(t, err, cqrs.ErrNotFound)
}

func testDocVersions(t *testing.T, s cqrs.DocumentStore) {
	ctx := context.Background()
	require.NoError(t, s.Save(ctx, "order", "o-1", []byte(`{"v":1}`), 0))
	doc, err := s.Load(ctx, "order", "o-1")
	require.NoError(t, err)
	assert.Equal(t, cqrs.Document{Data: []byte(`{"v":1}`), Version: 1}, doc)
	require.NoError(t, s.Save(ctx, "order", "o-1", []byte(`{"v":2}`), 1))
	doc, err = s.Load(ctx, "order", "o-1")
	require.NoError(t, err)
	assert.Equal(t, cqrs.Document{Data: []byte(`{"v":2}`), Version: 2}, doc)
}

func testDocStaleSave(t *testing.T, s cqrs.DocumentStore) {
	ctx := context.Background()
	require.NoError(t, s.Save(ctx, "order", "o-1", []byte(`a`), 0))
	require.NoError(t, s.Save(ctx, "order", "o-1", []byte(`b`), 1))
	assert.ErrorIs(t, s.Save(ctx, "order", "o-1", []byte(`stale`), 1), cqrs.ErrConflict)
	assert.ErrorIs(t, s.Save(ctx, "order", "o-1", []byte(`ahead`), 5), cqrs.ErrConflict)
	doc, err := s.Load(ctx, "order", "o-1")
	require.NoError(t, err)
	assert.Equal(t, cqrs.Document{Data: []byte(`b`), Version: 2}, doc, "a refused save stores nothing")
}

func testDocSecondCreate(t *testing.T, s cqrs.DocumentStore) {
	ctx := context.Background()
	require.NoError(t, s.Save(ctx, "order", "o-1", []byte(`first`), 0))
	assert.ErrorIs(t, s.Save(ctx, "order", "o-1", []byte(`second`), 0), cqrs.ErrConflict)
	doc, err := s.Load(ctx, "order", "o-1")
	require.NoError(t, err)
	assert.Equal(t, "first", string(doc.Data))
}

// testDocAbsentAtVersion: a save conditional on a version of a document
// that is not stored (deleted, or never saved under this kind) is refused,
// not taken as its creation.
func testDocAbsentAtVersion(t *testing.T, s cqrs.DocumentStore) {
	ctx := context.Background()
	require.NoError(t, s.Save(ctx, "payment", "o-1", []byte(`other kind`), 0))
	assert.ErrorIs(t, s.Save(ctx, "order", "o-1", []byte(`stale`), 1), cqrs.ErrConflict)
	_, err := s.Load(ctx, "order", "o-1")
	assert.ErrorIs(t, err, cqrs.ErrNotFound, "a refused save stores nothing")
}

func testDocScopes(t *testing.T, s cqrs.DocumentStore) {
	ctx := context.Background()
	require.NoError(t, s.Save(ctx, "order", "x", []byte(`order-x`), 0))
	require.NoError(t, s.Save(ctx, "payment", "x", []byte(`payment-x`), 0))
	require.NoError(t, s.Save(ctx, "order", "y", []byte(`order-y`), 0))
	for key, want := range map[[2]string]string{{"order", "x"}: "order-x", {"payment", "x"}: "payment-x", {"order", "y"}: "order-y"} {
		doc, err := s.Load(ctx, key[0], key[1])
		require.NoError(t, err)
		assert.Equal(t, want, string(doc.Data))
	}
}

// testDocEmpty: a document saved with no data (nil, or empty) loads back
// empty at its version, and is saved on from there.
func testDocEmpty(t *testing.T, s cqrs.DocumentStore) {
	ctx := context.Background()
	for version, data := range [][]byte{nil, {}} {
		require.NoError(t, s.Save(ctx, "order", "empty", data, int64(version)))
		doc, err := s.Load(ctx, "order", "empty")
		require.NoError(t, err, "a document saved as %#v", data)
		assert.Empty(t, doc.Data)
		assert.Equal(t, int64(version+1), doc.Version)
	}
	require.NoError(t, s.Save(ctx, "order", "empty", []byte(`full`), 2))
	doc, err := s.Load(ctx, "order", "empty")
	require.NoError(t, err)
	assert.Equal(t, cqrs.Document{Data: []byte(`full`), Version: 3}, doc)
}

// testDocConcurrentIncrements: 8 writers each add 1 to a counter 25 times,
// reloading on every conflict; no increment is lost.
func testDocConcurrentIncrements(t *testing.T, s cqrs.DocumentStore) {
	const writers, each = 8, 25
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for range each {
				if !assert.NoError(t, increment(s)) {
					return
				}
			}
		})
	}
	wg.Wait()
	doc, err := s.Load(context.Background(), "counter", "c")
	require.NoError(t, err)
	var n int
	require.NoError(t, json.Unmarshal(doc.Data, &n))
	assert.Equal(t, writers*each, n)
	assert.Equal(t, int64(writers*each), doc.Version, "one version per save")
}

func increment(s cqrs.DocumentStore) error {
	ctx := context.Background()
	for {
		doc, err := s.Load(ctx, "counter", "c")
		if err != nil && !errors.Is(err, cqrs.ErrNotFound) {
			return err
		}
		var n int
		if doc.Data != nil {
			if err := json.Unmarshal(doc.Data, &n); err != nil {
				return err
			}
		}
		next, _ := json.Marshal(n + 1)
		err = s.Save(ctx, "counter", "c", next, doc.Version)
		if !errors.Is(err, cqrs.ErrConflict) {
			return err
		}
	}
}

func testDocLarge(t *testing.T, s cqrs.DocumentStore, size int) {
	ctx := context.Background()
	big := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
	require.NoError(t, s.Save(ctx, "big", "b", big, 0))
	doc, err := s.Load(ctx, "big", "b")
	require.NoError(t, err)
	assert.Equal(t, len(big), len(doc.Data))
	assert.True(t, bytes.Equal(big, doc.Data), "the large document comes back unchanged")
	small := []byte(strings.Repeat("s", 10))
	require.NoError(t, s.Save(ctx, "big", "b", small, doc.Version))
	doc, err = s.Load(ctx, "big", "b")
	require.NoError(t, err)
	assert.Equal(t, small, doc.Data, "a smaller document replaces it whole")
}
