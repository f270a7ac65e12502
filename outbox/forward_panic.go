package outbox

import (
	"runtime/debug"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// recovered runs h on msg and returns a panic inside it as a
// *sourceflow.PanicError with its stack, so that the forwarder handles a
// panicking forward (in the inner transport's publisher, say) as a failed
// one: Watermill's router would otherwise recover it and log its value in
// full, with its stack, at every attempt.
func recovered(h message.HandlerFunc, msg *message.Message) (out []*message.Message, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, &sourceflow.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return h(msg)
}

// recoveredPublish runs publish and returns a panic inside it as a
// *sourceflow.PanicError with its stack, so that a panicking relay of a
// held row is that row's transient failure, as the forwarder's is, instead
// of ending the process from the retry's goroutine.
func recoveredPublish(publish func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &sourceflow.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return publish()
}
