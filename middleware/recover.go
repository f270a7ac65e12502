package middleware

import (
	"fmt"
	"runtime/debug"

	"github.com/ThreeDotsLabs/watermill/message"
)

// PanicError is the error Recover returns when the wrapped handler panicked.
// errors.Is(err, ErrPanic) holds; when the panic value is itself an error,
// errors.Is and errors.As reach it too.
type PanicError struct {
	// Value is what the panic was called with.
	Value any
	// Stack is the stack of the panicking goroutine, as runtime/debug.Stack
	// printed it at the moment of recovery.
	Stack []byte
}

// Error reports the panic value; the stack is in the Stack field and is kept
// out of the text so that one log line stays one line.
func (e *PanicError) Error() string {
	return fmt.Sprintf("%s: %v", ErrPanic.Error(), e.Value)
}

// Unwrap returns ErrPanic and, when the panic value is an error, that error.
func (e *PanicError) Unwrap() []error {
	if err, ok := e.Value.(error); ok {
		return []error{ErrPanic, err}
	}
	return []error{ErrPanic}
}

// Recover is a message.HandlerMiddleware that turns a panic anywhere inside it
// into a *PanicError. The router then nacks the message, so it is redelivered
// (and, on SQS, dead-lettered after maxReceiveCount) rather than lost, and the
// router keeps handling other messages. Messages the handler returned before
// it panicked are dropped. A panic is not marked permanent: it may be caused
// by a passing condition. Place Recover in ConsumeRecover, outermost.
func Recover(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) (_ []*message.Message, err error) {
		defer func() {
			if v := recover(); v != nil {
				err = &PanicError{Value: v, Stack: debug.Stack()}
			}
		}()
		return h(msg)
	}
}
