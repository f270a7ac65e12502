package cqrs

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingFilter is a MemoryTypeFilter counting the reads of a filter.
type countingFilter struct {
	*MemoryTypeFilter
	reads atomic.Int64
}

func (f *countingFilter) Types(ctx context.Context, topic, group string) ([]string, error) {
	f.reads.Add(1)
	return f.MemoryTypeFilter.Types(ctx, topic, group)
}

// newFilteredTransport returns a PubSubTransport over gochannel whose
// TypeFilter is the returned store, and the time its filters read, which
// the test sets.
func newFilteredTransport(t *testing.T) (*PubSubTransport, *countingFilter, *time.Time) {
	t.Helper()
	store := &countingFilter{MemoryTypeFilter: NewMemoryTypeFilter()}
	tr, now := filteredTransport(t, store)
	return tr, store, now
}

// filteredTransport returns a PubSubTransport over gochannel whose
// TypeFilter is store, and the time its filters read, which the test sets.
func filteredTransport(t *testing.T, store TypeFilterStore) (*PubSubTransport, *time.Time) {
	t.Helper()
	gc := gochannel.NewGoChannel(gochannel.Config{}, watermill.NopLogger{})
	tr, err := NewPubSubTransport(PubSubConfig{Publisher: gc, TypeFilter: store, Logger: watermill.NopLogger{},
		Subscriber: func(string, string) (message.Subscriber, error) { return gc, nil }})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	now := time.Unix(1000, 0)
	tr.filters.now = func() time.Time { return now }
	return tr, &now
}

// filterHolds reports whether tr's filter of group "g" on destination "d"
// holds typ.
func filterHolds(t *testing.T, tr *PubSubTransport, typ string) bool {
	t.Helper()
	ok, err := tr.filterOf("d")(context.Background(), "g", typ)
	require.NoError(t, err)
	return ok
}

// A type outside the filter last read makes the transport read it again,
// at most once every TypeFilterReread, so a newer version that widened it
// since is seen; a type inside it needs no read within TypeFilterReread.
func TestATypeFilterIsReadAgainOnAMissAtMostEveryReread(t *testing.T) {
	tr, store, now := newFilteredTransport(t)
	handles := func(typ string) bool { return filterHolds(t, tr, typ) }

	assert.False(t, handles("x"), "an empty filter")
	assert.Equal(t, int64(1), store.reads.Load(), "the first miss reads")
	require.NoError(t, store.Widen(context.Background(), "d", "g", []string{"x"}))
	*now = (*now).Add(TypeFilterReread - time.Millisecond)
	assert.False(t, handles("x"), "within TypeFilterReread of the last read")
	assert.Equal(t, int64(1), store.reads.Load(), "no read within TypeFilterReread")
	*now = (*now).Add(time.Millisecond)
	assert.True(t, handles("x"), "widened since the last read")
	assert.Equal(t, int64(2), store.reads.Load(), "a miss past TypeFilterReread reads")
	*now = (*now).Add(TypeFilterReread - time.Millisecond)
	assert.True(t, handles("x"))
	assert.Equal(t, int64(2), store.reads.Load(), "a hit within TypeFilterReread needs no read")
	assert.Equal(t, map[string]int64{"d": 2}, tr.FilteredByDestination(), "the two misses dropped")
}

// A type an operator removed from the filter (sqlbus.NarrowEventFilter)
// is dropped by the running instances once TypeFilterReread has passed
// since they last read the filter, as it is by those that start later:
// the type they read in it before is not kept for ever.
func TestATypeRemovedFromTheFilterIsDroppedOnceTheFilterIsReadAgain(t *testing.T) {
	tr, store, now := newFilteredTransport(t)
	handles := func(typ string) bool { return filterHolds(t, tr, typ) }
	require.NoError(t, store.Widen(context.Background(), "d", "g", []string{"x"}))
	assert.True(t, handles("x"), "a newer version handles it: retried")

	store.mu.Lock()
	delete(store.types[[2]string{"d", "g"}], "x") // as NarrowEventFilter removes it
	store.mu.Unlock()
	*now = (*now).Add(TypeFilterReread - time.Millisecond)
	assert.True(t, handles("x"), "within TypeFilterReread of the last read")
	*now = (*now).Add(time.Millisecond)
	assert.False(t, handles("x"), "removed from the filter: dropped")
	assert.Equal(t, int64(2), store.reads.Load())
}

// stallingFilter is a MemoryTypeFilter whose first read takes the filter
// as it is, then waits for release before returning it.
type stallingFilter struct {
	*MemoryTypeFilter
	calls   atomic.Int64
	entered chan struct{}
	release chan struct{}
}

func (f *stallingFilter) Types(ctx context.Context, topic, group string) ([]string, error) {
	types, err := f.MemoryTypeFilter.Types(ctx, topic, group)
	if f.calls.Add(1) == 1 {
		close(f.entered)
		<-f.release
	}
	return types, err
}

// Two reads of the filter that end out of order: the one that began
// first, before a newer version widened the filter, does not replace what
// the later one read, so the type the newer version handles is not
// dropped for the next TypeFilterReread, nor by the event that made the
// earlier read.
func TestAnEarlierReadOfTheFilterEndingLastDoesNotReplaceALaterOne(t *testing.T) {
	store := &stallingFilter{MemoryTypeFilter: NewMemoryTypeFilter(), entered: make(chan struct{}), release: make(chan struct{})}
	tr, _ := filteredTransport(t, store)

	first := make(chan bool)
	go func() {
		ok, _ := tr.filterOf("d")(context.Background(), "g", "y")
		first <- ok
	}()
	<-store.entered
	require.NoError(t, store.Widen(context.Background(), "d", "g", []string{"y"}))
	assert.True(t, filterHolds(t, tr, "y"), "read after the widening")
	close(store.release)
	assert.True(t, <-first, "decided on the later read, which has ended")

	assert.True(t, filterHolds(t, tr, "y"), "the later read is kept")
}
