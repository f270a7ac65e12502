package metrics_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

func TestObservedKMSAndDuplicates(t *testing.T) {
	encrypter := metrics.KMSStatsFunc(func() metrics.KMSCounts {
		return metrics.KMSCounts{GenerateDataKey: 3, CacheHits: 97, CacheMisses: 3}
	})
	decrypter := metrics.KMSStatsFunc(func() metrics.KMSCounts {
		return metrics.KMSCounts{Decrypt: 5, CacheHits: 40, CacheMisses: 5}
	})
	_, reader := recordingMetrics(t, metrics.Config{
		KMS: []metrics.KMSStatsSource{encrypter, decrypter},
		Duplicates: []metrics.DuplicateSource{
			metrics.DuplicatesFunc(func() int64 { return 2 }),
			metrics.DuplicatesFunc(func() int64 { return 5 }),
		},
	})

	got := collect(t, reader)
	tests := []struct {
		name string
		attr []string
		want int64
	}{
		{metrics.NameKMSCalls, []string{"sourceflow.kms.operation", "GenerateDataKey"}, 3},
		{metrics.NameKMSCalls, []string{"sourceflow.kms.operation", "Decrypt"}, 5},
		{metrics.NameKMSCacheLookups, []string{"sourceflow.cache.result", "hit"}, 137},
		{metrics.NameKMSCacheLookups, []string{"sourceflow.cache.result", "miss"}, 8},
		{metrics.NameDuplicates, nil, 7},
	}
	for _, tc := range tests {
		n, found := got.sum(tc.name, attrs(tc.attr...))
		assert.True(t, found, "%s %v", tc.name, tc.attr)
		assert.Equal(t, tc.want, n, "%s %v", tc.name, tc.attr)
	}
	assert.Zero(t, got.points(metrics.NameQueueDepth), "no depth source, no depth gauge")
}

// The KMS calls that failed (a refused key, for one) are summed over the
// sources and exported by operation, DescribeKey's included.
func TestObservedKMSFailures(t *testing.T) {
	_, reader := recordingMetrics(t, metrics.Config{KMS: []metrics.KMSStatsSource{
		metrics.KMSStatsFunc(func() metrics.KMSCounts { return metrics.KMSCounts{GenerateDataKey: 4, GenerateDataKeyFailures: 4} }),
		metrics.KMSStatsFunc(func() metrics.KMSCounts {
			return metrics.KMSCounts{Decrypt: 2, DecryptFailures: 2, DescribeKeyFailures: 1}
		}),
		metrics.KMSStatsFunc(func() metrics.KMSCounts { return metrics.KMSCounts{DescribeKeyFailures: 2} }),
	}})
	got := collect(t, reader)
	for op, want := range map[string]int64{"GenerateDataKey": 4, "Decrypt": 2, "DescribeKey": 3} {
		n, found := got.sum(metrics.NameKMSFailures, attrs("sourceflow.kms.operation", op))
		assert.True(t, found, op)
		assert.Equal(t, want, n, op)
	}
}

// The DescribeKey calls (the Encrypter's health checks, the Decrypter's
// resolutions of its KeyIDs) are summed over the sources and exported as
// the DescribeKey series of kms.calls, beside that of kms.failures, so that
// failures over calls is a ratio for every operation.
func TestObservedKMSDescribeKeyCalls(t *testing.T) {
	_, reader := recordingMetrics(t, metrics.Config{KMS: []metrics.KMSStatsSource{
		metrics.KMSStatsFunc(func() metrics.KMSCounts {
			return metrics.KMSCounts{GenerateDataKey: 1, DescribeKey: 6, DescribeKeyFailures: 1}
		}),
		metrics.KMSStatsFunc(func() metrics.KMSCounts { return metrics.KMSCounts{Decrypt: 1, DescribeKey: 2, DescribeKeyFailures: 2} }),
	}})
	got := collect(t, reader)
	op := attrs("sourceflow.kms.operation", "DescribeKey")
	calls, found := got.sum(metrics.NameKMSCalls, op)
	require.True(t, found, "kms.calls has a DescribeKey series")
	assert.Equal(t, int64(8), calls)
	failures, found := got.sum(metrics.NameKMSFailures, op)
	require.True(t, found)
	assert.Equal(t, int64(3), failures)
}

func TestObservedStoreRetries(t *testing.T) {
	_, reader := recordingMetrics(t, metrics.Config{StoreRetries: []metrics.StoreRetrySource{
		metrics.StoreRetriesFunc(func() (int64, int64) { return 4, 1 }),
		metrics.StoreRetriesFunc(func() (int64, int64) { return 2, 0 }),
	}})
	got := collect(t, reader)
	for reason, want := range map[string]int64{"throttled": 6, "conflict": 1} {
		n, found := got.sum(metrics.NameStoreRetries, attrs("sourceflow.retry.reason", reason))
		assert.True(t, found, reason)
		assert.Equal(t, want, n, reason)
	}
}

func TestNothingObservedWithoutSources(t *testing.T) {
	_, reader := recordingMetrics(t, metrics.Config{})
	got := collect(t, reader)
	for _, name := range []string{metrics.NameKMSCalls, metrics.NameKMSFailures, metrics.NameDuplicates, metrics.NameQueueDepth, metrics.NameDLQDepth, metrics.NameStoreRetries,
		metrics.NameDeadLetters, metrics.NameHandlerRetries, metrics.NameHandlerGiveUps} {
		assert.NotContains(t, got, name)
	}
}

func TestDepthGaugesFromPolledSource(t *testing.T) {
	src := newFakeDepths([]metrics.QueueDepth{
		{Queue: "orders.fifo", Visible: 12, InFlight: 3},
		{Queue: "orders-dlq.fifo", DLQ: true, Visible: 2},
	})
	m, reader := recordingMetrics(t, metrics.Config{Depth: src, DepthInterval: time.Millisecond})
	src.waitCalls(t, 2) // the first answer is stored before the second call

	got := collect(t, reader)
	tests := []struct {
		name, queue, state string
		want               int64
	}{
		{metrics.NameQueueDepth, "orders.fifo", "visible", 12},
		{metrics.NameQueueDepth, "orders.fifo", "in_flight", 3},
		{metrics.NameDLQDepth, "orders-dlq.fifo", "visible", 2},
		{metrics.NameDLQDepth, "orders-dlq.fifo", "in_flight", 0},
	}
	for _, tc := range tests {
		n, found := got.sum(tc.name, attrs("messaging.destination.name", tc.queue, "sourceflow.message.state", tc.state))
		assert.True(t, found, "%s %s %s", tc.name, tc.queue, tc.state)
		assert.Equal(t, tc.want, n, "%s %s %s", tc.name, tc.queue, tc.state)
	}
	assert.Equal(t, 2, got.points(metrics.NameQueueDepth), "DLQs are not reported as queues")

	require.NoError(t, m.Close())
	assert.NotContains(t, collect(t, reader), metrics.NameQueueDepth, "Close unregisters the gauges")
}

func TestCloseCancelsPollInProgress(t *testing.T) {
	entered := make(chan struct{})
	cancelled := make(chan error, 1)
	src := metrics.DepthFunc(func(ctx context.Context) ([]metrics.QueueDepth, error) {
		close(entered)
		<-ctx.Done()
		cancelled <- ctx.Err()
		return nil, ctx.Err()
	})
	m, err := metrics.New(metrics.Config{Depth: src})
	require.NoError(t, err)
	<-entered

	require.NoError(t, m.Close())
	require.NoError(t, m.Close(), "Close is idempotent")
	select {
	case err := <-cancelled:
		assert.ErrorIs(t, err, context.Canceled)
	default:
		t.Fatal("Close returned before the poll in progress ended")
	}
}

// fakeDepths answers every call with depths, and counts calls.
type fakeDepths struct {
	*callCounter
	depths []metrics.QueueDepth
}

func newFakeDepths(depths []metrics.QueueDepth) *fakeDepths {
	return &fakeDepths{callCounter: newCallCounter(), depths: depths}
}

func (f *fakeDepths) Depths(context.Context) ([]metrics.QueueDepth, error) {
	f.count()
	return f.depths, nil
}

// callCounter counts a fake's calls and lets a test wait for them.
type callCounter struct {
	mu    sync.Mutex
	calls int
	cond  *sync.Cond
}

func newCallCounter() *callCounter {
	c := &callCounter{}
	c.cond = sync.NewCond(&c.mu)
	return c
}

// count records one call and returns how many there were.
func (c *callCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	c.cond.Broadcast()
	return c.calls
}

func (c *callCounter) waitCalls(t *testing.T, n int) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		c.mu.Lock()
		for c.calls < n {
			c.cond.Wait()
		}
		c.mu.Unlock()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("depth source was not polled %d times", n)
	}
}

// syncBuffer is a bytes.Buffer safe for the poller goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
