package sourceflow_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

type card struct{ Number, Holder string }

// A panic value's text reaches logs, spans and dead-letter reasons: a
// value other than an error, a string or a number is described by its
// type only, so a handler that panics with the message it was working on
// does not leak its fields.
func TestPanicError_DescribesAStructByItsTypeOnly(t *testing.T) {
	for _, c := range []struct {
		value any
		typ   string
	}{
		{card{"4111111111111111", "A. Holder"}, "sourceflow_test.card"},
		{&card{Number: "4111111111111111"}, "*sourceflow_test.card"},
		{[]string{"4111111111111111"}, "[]string"},
	} {
		text := (&sourceflow.PanicError{Value: c.value}).Error()

		assert.Equal(t, "sourceflow: handler panicked: a value of type "+c.typ, text)
	}
}

func TestPanicError_KeepsTheTextOfErrorsStringsAndNumbers(t *testing.T) {
	cause := errors.New("runtime error: index out of range [3] with length 3")
	for v, want := range map[any]string{cause: cause.Error(), "nil map write": "nil map write", 42: "42", true: "true"} {
		err := &sourceflow.PanicError{Value: v}

		assert.Equal(t, "sourceflow: handler panicked: "+want, err.Error())
	}
	assert.ErrorIs(t, &sourceflow.PanicError{Value: cause}, cause, "the error value is still reached")
}

// A panic value is cut, and characters a terminal or a log line acts on
// are escaped, so one panic cannot flood or forge log lines.
func TestPanicError_BoundsAndEscapesTheText(t *testing.T) {
	long := (&sourceflow.PanicError{Value: strings.Repeat("é", 10_000)}).Error()
	assert.LessOrEqual(t, len(long), len("sourceflow: handler panicked: ")+512+len("…"))
	assert.True(t, strings.HasSuffix(long, "é…"), "cut on a character boundary")

	forged := (&sourceflow.PanicError{Value: "boom\x1b[2J\nlevel=INFO msg=forged\xff"}).Error()
	assert.Equal(t, `sourceflow: handler panicked: boom\x1b[2J\nlevel=INFO msg=forged\xff`, forged)
}

// A backslash in the panic value is escaped too, so that the four
// characters \x1b in it do not read like an escaped ESC.
func TestPanicError_EscapesABackslash(t *testing.T) {
	text := (&sourceflow.PanicError{Value: `path C:\tmp, literal \x1b, real ` + "\x1b"}).Error()
	assert.Equal(t, `sourceflow: handler panicked: path C:\\tmp, literal \\x1b, real \x1b`, text)
}

// nilPointerError is an error whose Error method reads its receiver.
type nilPointerError struct{ reason string }

func (e *nilPointerError) Error() string { return e.reason }

// A handler that panics with an error pointer never assigned gets a
// PanicError whose text is written in the recovering code path (logs,
// spans, dead-letter reasons): describing it must not panic again.
func TestPanicError_DescribesANilErrorPointerWithoutPanicking(t *testing.T) {
	var unset *nilPointerError
	err := &sourceflow.PanicError{Value: unset}

	var text string
	assert.NotPanics(t, func() { text = err.Error() })
	assert.Equal(t, "sourceflow: handler panicked: <nil>", text)
}

// PanicText is the description PanicError.Error gives, for panics
// recovered outside a handler.
func TestPanicText_IsPanicErrorsDescription(t *testing.T) {
	for _, v := range []any{"boom\n\\x1b", 42, struct{ Card string }{"4111"}} {
		assert.Equal(t, (&sourceflow.PanicError{Value: v}).Error(), "sourceflow: handler panicked: "+sourceflow.PanicText(v))
	}
	assert.Equal(t, `boom\n\\x1b`, sourceflow.PanicText("boom\n\\x1b"))
	assert.Equal(t, "a value of type struct { Card string }", sourceflow.PanicText(struct{ Card string }{"4111"}))
}
