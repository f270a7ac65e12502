package sqsrules_test

import (
	"strings"
	"testing"

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
