package outbox

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stackedError is an error carrying a stack trace as Watermill's wrapped
// errors do: "%+v" writes it after the message, over several lines.
type stackedError struct{ msg string }

func (e stackedError) Error() string { return e.msg }

func (e stackedError) Format(s fmt.State, verb rune) {
	_, _ = fmt.Fprint(s, e.msg)
	if verb == 'v' && s.Flag('+') {
		_, _ = fmt.Fprint(s, "\ngoroutine 7 [running]:\noutbox.forward()\n\t/src/forward.go:12")
	}
}

// A failed forward is logged with its error on one line, however the
// logger prints it: without the stack trace Watermill attaches to its
// errors or a recovered panic carries, which goes to a debug line.
func TestForwardFailureIsLoggedOnOneLine(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		line string
	}{
		{"with a stack", stackedError{"cannot publish a message: queue service unavailable"},
			"cannot publish a message: queue service unavailable"},
		{"recovered panic", fmt.Errorf("forward: %w", middleware.RecoveredPanicError{V: "boom", Stacktrace: "goroutine 7 [running]:\noutbox.forward()"}),
			`forward: sourceflow: handler panicked: boom`},
		{"recovered panic of a struct", fmt.Errorf("forward: %w", middleware.RecoveredPanicError{V: struct{ Card string }{"4111111111111111"}, Stacktrace: "goroutine 7 [running]:"}),
			`forward: sourceflow: handler panicked: a value of type struct { Card string }`},
		{"joined", errors.Join(errors.New("first"), errors.New("second")), "first; second"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			logs := watermill.NewCaptureLogger()
			newFailureLog(logs, "outbox", time.Minute).failed(message.NewMessage("m-1", nil), tt.err)

			errs := logs.Captured()[watermill.ErrorLogLevel]
			require.Len(t, errs, 1)
			assert.NotContains(t, fmt.Sprintf("%+v", errs[0].Err), "\n", "one line")
			assert.EqualError(t, errs[0].Err, tt.line)
			debug := logs.Captured()[watermill.DebugLogLevel]
			require.Len(t, debug, 1, "the error in full at debug level")
			assert.Contains(t, debug[0].Fields["error_detail"], "\n")
			assert.NotContains(t, debug[0].Fields["error_detail"], "4111111111111111", "a panic value is described, never written out")
		})
	}
}

// An error whose text is one line already is logged as it reads, with no
// debug line.
func TestForwardFailureOnOneLineHasNoDebugLine(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	newFailureLog(logs, "outbox", time.Minute).failed(message.NewMessage("m-1", nil), fmt.Errorf("forward: %w", errors.New("down")))

	require.Len(t, logs.Captured()[watermill.ErrorLogLevel], 1)
	assert.EqualError(t, logs.Captured()[watermill.ErrorLogLevel][0].Err, "forward: down")
	assert.Empty(t, logs.Captured()[watermill.DebugLogLevel])
}
