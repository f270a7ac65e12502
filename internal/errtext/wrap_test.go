package errtext_test

import (
	"errors"
	"testing"

	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

func TestWrapLeavesOutOnlyTheLeadingPrefix(t *testing.T) {
	inner := errors.New("cqrs: bind")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errtext.Wrap("cqrs: start", "cqrs: ", inner), "cqrs: start: bind"},
		{errtext.Wrap("cqrs: start", "cqrs: ", errors.New("router: cqrs: x")), "cqrs: start: router: cqrs: x"},
		{errtext.Wrap("cqrs: start", "cqrs: ", errors.Join(inner, errors.New("cqrs: route"))), "cqrs: start: bind\ncqrs: route"},
		{errtext.Wrap("cqrs: start", "cqrs: ", nil), "cqrs: start"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
	if err := errtext.Wrap("x", "", inner); !errors.Is(err, inner) {
		t.Errorf("%v does not reach %v", err, inner)
	}
}
