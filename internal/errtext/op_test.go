package errtext_test

import (
	"errors"
	"testing"

	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

// WrapOp's error reads as Wrap's of the same context, and carries its
// package prefix, operation and subject as data that errors.As finds;
// errors.Is reaches the wrapped error.
func TestWrapOpCarriesTheOperationAsData(t *testing.T) {
	lost := errors.New("idempotency: lease lost")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errtext.WrapOp("sqlstore: ", "complete", "c/m", "idempotency: ", lost), "sqlstore: complete c/m: lease lost"},
		{errtext.WrapOp("sqlstore: ", "complete", "c/m", "idempotency: ", errors.Join(lost, lost)), "sqlstore: complete c/m: lease lost\nidempotency: lease lost"},
		{errtext.WrapOp("sqlstore: ", "complete", "c/m", "idempotency: ", nil), "sqlstore: complete c/m"},
	} {
		if got, want := tc.err.Error(), errtext.Wrap("sqlstore: complete c/m", "idempotency: ", errors.Unwrap(tc.err)).Error(); got != want || got != tc.want {
			t.Errorf("got %q, want %q (Wrap's %q)", got, tc.want, want)
		}
	}
	err := error(&wrapper{errtext.WrapOp("sqlstore: ", "complete", "c/m", "idempotency: ", lost)})
	var op *errtext.OpError
	if !errors.As(err, &op) || op.Prefix != "sqlstore: " || op.Op != "complete" || op.Subject != "c/m" {
		t.Errorf("errors.As(%v) found %+v", err, op)
	}
	if !errors.Is(err, lost) {
		t.Errorf("%v does not reach %v", err, lost)
	}
}

// wrapper wraps an error as a caller's own error type would.
type wrapper struct{ err error }

func (w *wrapper) Error() string { return "outer: " + w.err.Error() }
func (w *wrapper) Unwrap() error { return w.err }
