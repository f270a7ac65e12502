package encryption

import (
	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
)

// clientPanicLog logs the panics of the KMS client, throttled per
// operation (GenerateDataKey, Decrypt, DescribeKey) by a logThrottle: a
// client that panics on every call would otherwise log a stack per call,
// up to one per message. The first panic of an operation is logged with
// its stack; those within a minute after it are only counted, and the
// next one logged says how many were not (panics_not_logged). Each
// Encrypter and Decrypter has one, shared by its calls.
type clientPanicLog struct {
	logger   watermill.LoggerAdapter
	clock    sourceflow.Clock
	throttle logThrottle
}

// log logs p, a panic of the KMS client during op, unless one during op
// was logged less than a minute before (see logClientPanic).
func (l *clientPanicLog) log(op string, p *ClientPanicError) {
	ok, held := l.throttle.admit(op, l.clock.Now(), false)
	if ok {
		logClientPanic(l.logger, op, p, held)
	}
}

// logClientPanic logs p, a panic of the KMS client during op, at error
// level: its one-line text as the line's error and the stack, which no
// error text carries, in the stack field; held, when not zero, is the
// number of panics during op not logged since the last line
// (panics_not_logged). The callers' errors say only that the KMS client
// panicked; the stack tells an operator where. A nil logger logs nothing.
func logClientPanic(logger watermill.LoggerAdapter, op string, p *ClientPanicError, held int) {
	if logger == nil {
		return
	}
	fields := watermill.LogFields{"operation": op, "stack": string(p.Stack)}
	if held > 0 {
		fields["panics_not_logged"] = held
	}
	logger.Error("KMS client panicked; the messages waiting for the call are tried again", p, fields)
}
