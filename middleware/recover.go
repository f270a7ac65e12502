package middleware

import (
	"runtime/debug"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// Recover is a message.HandlerMiddleware that turns a panic anywhere inside it
// into a *sourceflow.PanicError. The router then nacks the message, so it is redelivered
// (and, on SQS, dead-lettered after maxReceiveCount) rather than lost, and the
// router keeps handling other messages. Messages the handler returned before
// it panicked are dropped. A panic is not marked permanent: it may be caused
// by a passing condition. Place Recover in ConsumeRecover, outermost.
func Recover(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) (_ []*message.Message, err error) {
		defer func() {
			if v := recover(); v != nil {
				err = &sourceflow.PanicError{Value: v, Stack: debug.Stack()}
			}
		}()
		return h(msg)
	}
}
