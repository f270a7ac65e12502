package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

func TestObservedKMSAndDuplicates(t *testing.T) {
	encrypter := metrics.KMSStatsFunc(func() (int64, int64, int64, int64) { return 3, 0, 97, 3 })
	decrypter := metrics.KMSStatsFunc(func() (int64, int64, int64, int64) { return 0, 5, 40, 5 })
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
	for _, name := range []string{metrics.NameKMSCalls, metrics.NameDuplicates, metrics.NameQueueDepth, metrics.NameDLQDepth, metrics.NameStoreRetries} {
		assert.NotContains(t, got, name)
	}
}

func TestDepthGaugesFromPolledSource(t *testing.T) {
	src := newFakeDepths([]metrics.QueueDepth{
		{Queue: "orders.fifo", Visible: 12, InFlight: 3},
		{Queue: "orders-dlq.fifo", DLQ: true, Visible: 2},
	}, nil)
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

func TestDepthPollFailureKeepsLastDepthsAndLogs(t *testing.T) {
	src := newFakeDepths([]metrics.QueueDepth{{Queue: "orders", Visible: 4}}, errors.New("AccessDenied"))
	logs := &syncBuffer{}
	_, reader := recordingMetrics(t, metrics.Config{
		Depth: src, DepthInterval: time.Millisecond,
		Logger: watermill.NewSlogLogger(slog.New(slog.NewTextHandler(logs, nil))),
	})
	src.waitCalls(t, 3) // one success, then failures

	n, found := collect(t, reader).sum(metrics.NameQueueDepth,
		attrs("messaging.destination.name", "orders", "sourceflow.message.state", "visible"))
	require.True(t, found)
	assert.Equal(t, int64(4), n)
	assert.Contains(t, logs.String(), "AccessDenied")
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

// fakeDepths answers with depths on its first call and with failWith (when
// set) on later calls, and counts calls.
type fakeDepths struct {
	depths   []metrics.QueueDepth
	failWith error

	mu    sync.Mutex
	calls int
	cond  *sync.Cond
}

func newFakeDepths(depths []metrics.QueueDepth, failWith error) *fakeDepths {
	f := &fakeDepths{depths: depths, failWith: failWith}
	f.cond = sync.NewCond(&f.mu)
	return f
}

func (f *fakeDepths) Depths(context.Context) ([]metrics.QueueDepth, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.cond.Broadcast()
	if f.calls > 1 && f.failWith != nil {
		return nil, f.failWith
	}
	return f.depths, nil
}

func (f *fakeDepths) waitCalls(t *testing.T, n int) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		f.mu.Lock()
		for f.calls < n {
			f.cond.Wait()
		}
		f.mu.Unlock()
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
