package sqsrules_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
)

func TestValidText(t *testing.T) {
	for s, want := range map[string]bool{
		"":                   true,
		"tab\tline\ncr\r":    true,
		"ünïcødé 😀":          true,
		"\x00":               false,
		"\x1f":               false,
		"\uFFFE":             false,
		string([]byte{0xff}): false,
		"\uE000\U0010FFFF":   true,
	} {
		if got := sqsrules.ValidText(s); got != want {
			t.Errorf("ValidText(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestValidAttributeName(t *testing.T) {
	for name, want := range map[string]bool{
		"sf_type":                true,
		"a.b-c_d":                true,
		strings.Repeat("a", 256): true,
		strings.Repeat("a", 257): false,
		"":                       false,
		".a":                     false,
		"a.":                     false,
		"a..b":                   false,
		"aws.x":                  false,
		"Amazon.x":               false,
		"amazonx":                true,
		"bad key":                false,
		"ключ":                   false,
	} {
		if got := sqsrules.ValidAttributeName(name); got != want {
			t.Errorf("ValidAttributeName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestValidFIFOID(t *testing.T) {
	for id, want := range map[string]bool{
		"!~":                     true,
		strings.Repeat("a", 128): true,
		strings.Repeat("a", 129): false,
		"":                       false,
		"a b":                    false,
		"é":                      false,
		"a\x7f":                  false,
	} {
		if got := sqsrules.ValidFIFOID(id); got != want {
			t.Errorf("ValidFIFOID(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestTextIsValidAndCutOnACharacterBoundary(t *testing.T) {
	cases := []struct {
		name, in string
		n        int
		want     string
	}{
		{"kept", "a\tb\nc\rd é 😀", 100, "a\tb\nc\rd é 😀"},
		{"controls replaced", "a\x00b\x1bc\uFFFEd", 100, "a\uFFFDb\uFFFDc\uFFFDd"},
		{"invalid bytes replaced", "a\xffb", 100, "a\uFFFDb"},
		{"cut before a split character", "ab😀", 4, "ab"},
		{"cut at a boundary", "ab😀c", 6, "ab😀"},
		{"cut to nothing", "😀", 3, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := sqsrules.Text(tc.in, tc.n)
			if got != tc.want {
				t.Fatalf("Text(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
			if !sqsrules.ValidText(got) || len(got) > tc.n {
				t.Fatalf("Text(%q, %d) = %q: not valid text within %d bytes", tc.in, tc.n, got, tc.n)
			}
		})
	}
}

// A reason over the bound keeps its beginning and its end, joined by " … ",
// within the bound and on character boundaries; a shorter one is Text's.
func TestReasonKeepsBothEnds(t *testing.T) {
	long := "handler h, message \"" + strings.Repeat("é", 700) + "\": load order \"" +
		strings.Repeat("e", 900) + "\": store unreachable"
	for _, n := range []int{64, 100, 512, 1024} {
		got := sqsrules.Reason(long, n)
		if len(got) > n || !utf8.ValidString(got) || !sqsrules.ValidText(got) {
			t.Errorf("Reason(_, %d) = %q: %d bytes, valid %v", n, got, len(got), utf8.ValidString(got))
		}
		if !strings.HasPrefix(got, "handler h") || !strings.HasSuffix(got, "store unreachable") || !strings.Contains(got, " … ") {
			t.Errorf("Reason(_, %d) = %q: want both ends, joined by \" … \"", n, got)
		}
	}
	for s, want := range map[string]string{
		"short":                  "short",
		"nul \x00 and \xff":      "nul \uFFFD and \uFFFD",
		strings.Repeat("x", 512): strings.Repeat("x", 512),
	} {
		if got := sqsrules.Reason(s, 512); got != want {
			t.Errorf("Reason(%.20q, 512) = %.40q, want %.40q", s, got, want)
		}
	}
	if got := sqsrules.Reason(strings.Repeat("y", 100), 10); got != strings.Repeat("y", 10) {
		t.Errorf("a bound too small for both ends keeps the beginning, got %q", got)
	}
}
