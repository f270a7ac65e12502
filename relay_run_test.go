package sourceflow_test

import (
	"errors"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// RunRelay hands each result function the publish's error, in order, and
// returns it.
func TestRunRelayReportsTheResult(t *testing.T) {
	refused := errors.New("refused")
	var got []error
	done := func(err error) { got = append(got, err) }

	err := sourceflow.RunRelay(func() error { return refused }, done, done)

	assert.Equal(t, refused, err)
	assert.Equal(t, []error{refused, refused}, got)
}

// A publish that panics is reported to every result function as a
// *PanicError with the value and the stack, and the panic goes on.
func TestRunRelayReportsAPanicAndPanicsOn(t *testing.T) {
	var got []error
	done := func(err error) { got = append(got, err) }

	assert.PanicsWithValue(t, "transport bug", func() {
		_ = sourceflow.RunRelay(func() error { panic("transport bug") }, done, done)
	})

	require.Len(t, got, 2, "every result function is called")
	for _, err := range got {
		var pe *sourceflow.PanicError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "transport bug", pe.Value)
		assert.NotEmpty(t, pe.Stack)
	}
}

// A publish that ends its goroutine (runtime.Goexit) without returning is
// reported to every result function as a failure, so that the observers
// end what they started.
func TestRunRelayReportsAPublishThatExits(t *testing.T) {
	var got []error
	done := func(err error) { got = append(got, err) }
	exited := make(chan struct{})

	go func() {
		defer close(exited)
		_ = sourceflow.RunRelay(func() error { runtime.Goexit(); return nil }, done, done)
	}()
	<-exited

	require.Len(t, got, 2, "every result function is called")
	for _, err := range got {
		assert.ErrorContains(t, err, "exited without returning")
	}
}
