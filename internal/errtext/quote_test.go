package errtext_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

// A text within the bound is quoted as %q quotes it; a longer one is cut
// at a character or escape boundary, its length shown.
func TestQuoteQuotesAsQuoteDoesAndBounds(t *testing.T) {
	for _, s := range []string{"", "k-1", `say "hi"`, "k\n1\x1b[2J", string([]byte{'k', 0xff}), strings.Repeat("ü", 4)} {
		if got, want := errtext.Quote(s, 12), fmt.Sprintf("%q", s); got != want {
			t.Errorf("Quote(%q) = %s, want %s", s, got, want)
		}
	}
	for s, want := range map[string]string{
		strings.Repeat("u", 10): `"uuuuuuuu…(10 bytes)"`,
		strings.Repeat(`"`, 5):  `"\"\"\"\"…(5 bytes)"`,
		strings.Repeat("ü", 5):  `"üüüü…(10 bytes)"`,
		"uuuuuuu" + "\n" + "uu": `"uuuuuuu…(10 bytes)"`,
	} {
		if got := errtext.Quote(s, 8); got != want {
			t.Errorf("Quote(%q) = %s, want %s", s, got, want)
		}
	}
}
