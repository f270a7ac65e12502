package topology

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzWildcardMatch compares the IAM wildcard matcher with a regular
// expression in which "*" is any run of characters, "?" one character and
// everything else itself.
func FuzzWildcardMatch(f *testing.F) {
	for _, seed := range [][2]string{
		{"*", "arn:aws:sns:us-east-1:111122223333:orders"},
		{"arn:aws:sns:*:111122223333:ord?rs", "arn:aws:sns:us-east-1:111122223333:orders"},
		{"[o]rders", "orders"},
		{"a*b*c", "aXbYbZc"},
		{"", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) {
			return // policies are JSON text
		}
		var re strings.Builder
		re.WriteString(`(?s)^`)
		for _, r := range pattern {
			switch r {
			case '*':
				re.WriteString(`.*`)
			case '?':
				re.WriteString(`.`)
			default:
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		re.WriteString(`$`)
		want := regexp.MustCompile(re.String()).MatchString(s)
		if got := wildcardMatch(pattern, s); got != want {
			t.Fatalf("wildcardMatch(%q, %q) = %v, want %v", pattern, s, got, want)
		}
	})
}
