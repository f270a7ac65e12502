package errtext_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

func TestKeepEndsLeavesAShortTextAlone(t *testing.T) {
	if got := errtext.KeepEnds("short", 5); got != "short" {
		t.Fatalf("KeepEnds = %q, want %q", got, "short")
	}
}

func TestKeepEndsKeepsTheFirstThirdAndTheEnd(t *testing.T) {
	s := strings.Repeat("a", 50) + strings.Repeat("b", 50)
	got := errtext.KeepEnds(s, 30)
	want := strings.Repeat("a", 10) + " … " + strings.Repeat("b", 15)
	if got != want {
		t.Fatalf("KeepEnds = %q, want %q", got, want)
	}
}

func TestKeepEndsCutsBetweenCharacters(t *testing.T) {
	s := strings.Repeat("é", 100)
	for n := 10; n < 40; n++ {
		got := errtext.KeepEnds(s, n)
		if !utf8.ValidString(got) || len(got) > n {
			t.Fatalf("KeepEnds(n=%d) = %q (%d bytes): want valid UTF-8 of at most %d bytes", n, got, len(got), n)
		}
		if !strings.Contains(got, " … ") {
			t.Fatalf("KeepEnds(n=%d) = %q: want both ends joined by the gap", n, got)
		}
	}
}
