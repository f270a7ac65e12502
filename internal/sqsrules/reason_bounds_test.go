package sqsrules_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
)

// checkReason fails t unless Reason(s, n) is valid SQS text of at most n
// bytes (none for n < 0), s's cleaned text when that is within n, and
// otherwise, for n of 64 or more, begins as s's text does and ends as it
// does.
func checkReason(t *testing.T, s string, n int) {
	t.Helper()
	got := sqsrules.Reason(s, n)
	if len(got) > max(n, 0) || !sqsrules.ValidText(got) {
		t.Fatalf("Reason(%.40q, %d) = %.40q: %d bytes, valid text %v", s, n, got, len(got), sqsrules.ValidText(got))
	}
	whole := sqsrules.Text(s, len(s)*3)
	if len(whole) <= n {
		if got != whole {
			t.Fatalf("Reason(%.40q, %d) = %.40q, want it whole", s, n, got)
		}
		return
	}
	if n < 64 {
		return
	}
	head, tail, found := strings.Cut(got, " … ")
	if !found || !strings.HasPrefix(whole, head) || !strings.HasSuffix(whole, tail) || tail == "" {
		t.Fatalf("Reason(%.40q, %d) = %q: want both ends of the text", s, n, got)
	}
}

// Reason never exceeds its bound, at any bound around and below 64, above
// and below the text's length, and always gives valid text.
func TestReasonBoundsEveryCut(t *testing.T) {
	inputs := []string{
		"", "x", strings.Repeat("a", 200), strings.Repeat("é", 100), strings.Repeat("😀", 60),
		strings.Repeat("\xff", 70), strings.Repeat("\x00a", 80),
		"handler h: " + strings.Repeat("€", 40) + strings.Repeat("\xc3", 30) + ": the cause",
	}
	for _, s := range inputs {
		for n := -2; n <= 400; n++ {
			checkReason(t, s, n)
		}
	}
}

// FuzzReason checks Reason's bounds on any input.
func FuzzReason(f *testing.F) {
	f.Add("handler h: "+strings.Repeat("é", 100)+": the cause", 64)
	f.Add(strings.Repeat("\xff\x00😀", 50), 100)
	f.Fuzz(func(t *testing.T, s string, n int) {
		checkReason(t, s, n%2048)
	})
}

// A reason exactly at the bound is kept as it is.
func TestReasonAtTheBoundIsWhole(t *testing.T) {
	for _, n := range []int{63, 64, 65, 512, 1024} {
		s := strings.Repeat("r", n-2) + "é"
		if got := sqsrules.Reason(s, n); got != s || !utf8.ValidString(got) {
			t.Errorf("Reason(%d bytes, %d) = %d bytes, want it whole", len(s), n, len(got))
		}
	}
}
