package sourceflow

import (
	"errors"
	"runtime/debug"
)

// errRelayExited is the result RunRelay reports when publish neither
// returned nor panicked: it called runtime.Goexit.
var errRelayExited = errors.New("sourceflow: relay publish exited without returning")

// RunRelay runs publish, an outbox's attempt to forward what dones observe
// (the result functions ObserveRelay returned), and then calls each of
// dones, in order, with its error, which it returns. When publish panics,
// each of dones is called with a *PanicError of the panic before the panic
// goes on, so that the observers end what they started and count a
// failure: the tracing observer's span ends with status Error and
// error.type "panic", the metrics observer counts a failed attempt.
func RunRelay(publish func() error, dones ...func(error)) (err error) {
	returned := false
	defer func() {
		if returned {
			return
		}
		v := recover()
		failure := errRelayExited
		if v != nil {
			failure = &PanicError{Value: v, Stack: debug.Stack()}
		}
		for _, done := range dones {
			done(failure)
		}
		if v != nil {
			panic(v)
		}
	}()
	err = publish()
	returned = true
	for _, done := range dones {
		done(err)
	}
	return err
}
