package encryption

import "github.com/ThreeDotsLabs/watermill"

// logClientPanic logs p, a panic of the KMS client during op, at error
// level: its one-line text as the line's error and the stack, which no
// error text carries, in the stack field. The callers' errors say only
// that the KMS client panicked; the stack tells an operator where. A nil
// logger logs nothing.
func logClientPanic(logger watermill.LoggerAdapter, op string, p *ClientPanicError) {
	if logger == nil {
		return
	}
	logger.Error("KMS client panicked; the messages waiting for the call are tried again", p,
		watermill.LogFields{"operation": op, "stack": string(p.Stack)})
}
