package encryption

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The first caller giving up ends neither the shared call nor the wait of
// the others: the call runs on a context of its own.
func TestFlightOutlivesTheFirstCallersContext(t *testing.T) {
	var f flight[int]
	calls := make(chan context.Context, 1)
	release := make(chan struct{})
	first, cancel := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() {
		_, err := f.do(first, "k", func(ctx context.Context) (int, error) {
			calls <- ctx
			<-release
			return 1, nil
		})
		firstErr <- err
	}()
	call := <-calls

	cancel()

	select {
	case err := <-firstErr:
		require.ErrorIs(t, err, context.Canceled, "the first caller stops waiting")
	case <-time.After(10 * time.Second):
		t.Fatal("the first caller waited for the call after its context ended")
	}
	assert.NoError(t, call.Err(), "the shared call goes on")
	close(release)
}

// A shared call that panics fails its callers instead of the process.
func TestFlightTurnsAPanicIntoTheCallersError(t *testing.T) {
	var f flight[int]

	_, err := f.do(context.Background(), "k", func(context.Context) (int, error) { panic("bug") })

	require.True(t, errors.Is(err, errAbandoned), "%v", err)
	assert.Contains(t, err.Error(), "bug")
	assert.False(t, isPermanent(ErrDecrypt, err), "the callers' messages are tried again")
}
