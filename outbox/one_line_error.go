package outbox

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/sourceflow-go/sourceflow"
)

// oneLine returns err's message on one line, for a log line, and err in
// full ("%+v"), or "" when that adds nothing. Watermill wraps the
// forwarder's errors with a stack trace, which a logger printing "%+v"
// writes out over many lines, and a recovered panic's message
// (middleware.RecoveredPanicError) holds the panic's stack and its value
// in full. Both forms describe such a panic as sourceflow.PanicError does
// (a value other than an error, string, bool or number by its type only),
// the full one followed by its stack, as is a *sourceflow.PanicError's
// stack. The line joins the lines of any multi-line message with "; ".
func oneLine(err error) (line, full string) {
	msg, full := err.Error(), fmt.Sprintf("%+v", err)
	var p middleware.RecoveredPanicError
	if errors.As(err, &p) {
		described := (&sourceflow.PanicError{Value: p.V}).Error()
		msg = strings.Replace(msg, p.Error(), described, 1)
		full = strings.Replace(full, p.Error(), described+", stacktrace:\n"+p.Stacktrace, 1)
	}
	var pe *sourceflow.PanicError
	if errors.As(err, &pe) && len(pe.Stack) > 0 {
		full += "\n" + string(pe.Stack)
	}
	var parts []string
	for part := range strings.Lines(msg) {
		if part = strings.TrimSpace(part); part != "" {
			parts = append(parts, part)
		}
	}
	msg = strings.Join(parts, "; ")
	if full == msg {
		full = ""
	}
	return msg, full
}
