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
// in full. The line describes such a panic as sourceflow.PanicError does
// (a value other than an error, string, bool or number by its type only),
// without its stack, and joins the lines of any multi-line message with
// "; ".
func oneLine(err error) (line, full string) {
	msg := err.Error()
	var p middleware.RecoveredPanicError
	if errors.As(err, &p) {
		msg = strings.Replace(msg, p.Error(), (&sourceflow.PanicError{Value: p.V}).Error(), 1)
	}
	var parts []string
	for part := range strings.Lines(msg) {
		if part = strings.TrimSpace(part); part != "" {
			parts = append(parts, part)
		}
	}
	msg = strings.Join(parts, "; ")
	if full = fmt.Sprintf("%+v", err); full == msg {
		full = ""
	}
	return msg, full
}
