package encryption

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill"
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

// The error of a panicking shared call is one line that names the panic
// value as sourceflow.PanicError does (a struct by its type only, control
// characters escaped); the stack stays on the error value, out of its text.
func TestFlightPanicErrorIsOneLineWithoutTheValuesContents(t *testing.T) {
	type request struct{ Plaintext string }
	for name, tc := range map[string]struct {
		value any
		shown string
	}{
		"a struct":          {request{Plaintext: "card 4111"}, "a value of type encryption.request"},
		"a multi-line text": {"bad\nlevel=INFO msg=forged", `bad\nlevel=INFO msg=forged`},
	} {
		t.Run(name, func(t *testing.T) {
			var f flight[int]

			_, err := f.do(context.Background(), "k", func(context.Context) (int, error) { panic(tc.value) })

			require.Error(t, err)
			assert.NotContains(t, err.Error(), "\n", "one line")
			assert.NotContains(t, err.Error(), "card 4111")
			assert.NotContains(t, err.Error(), "goroutine", "no stack")
			assert.True(t, strings.HasSuffix(err.Error(), ": "+tc.shown), "%q", err)
			var panicked *ClientPanicError
			require.ErrorAs(t, err, &panicked)
			assert.Equal(t, tc.value, panicked.Value)
			assert.Contains(t, string(panicked.Stack), "goroutine", "the stack is kept on the error")
			require.True(t, errors.Is(err, ErrKMS), "the callers' messages are tried again")
		})
	}
}

// A panicking shared call is logged once, however many callers wait for
// it, each of whom gets the panic as its error.
func TestFlightLogsAPanicOnceForAllItsCallers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := watermill.NewCaptureLogger()
		f := flight[int]{logger: logs}
		release := make(chan struct{})
		errs := make(chan error, 3)
		for range 3 {
			go func() {
				_, err := f.do(context.Background(), "k", func(context.Context) (int, error) {
					<-release
					panic("bug")
				})
				errs <- err
			}()
		}
		synctest.Wait() // the three callers wait for one call
		close(release)

		for range 3 {
			require.ErrorIs(t, <-errs, errAbandoned)
		}
		lines := logs.Captured()[watermill.ErrorLogLevel]
		require.Len(t, lines, 1)
		assert.Contains(t, lines[0].Fields["stack"], "goroutine")
	})
}
