package sqsrules

import (
	"strings"
	"unicode/utf8"

	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

// MaxFIFOIDLength is the most characters of a MessageGroupId or
// MessageDeduplicationId.
const MaxFIFOIDLength = 128

// ValidText reports whether s is UTF-8 made only of the characters SQS
// accepts in bodies and attribute values:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
func ValidText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !validChar(r) {
			return false
		}
	}
	return true
}

// Text returns s as SQS and SNS take it in a body or an attribute value
// (the strictest text rules of the transports, so every transport takes
// it): each run of bytes that are not UTF-8, and each character ValidText
// refuses (NUL, ESC, U+FFFE, ...), becomes U+FFFD, and the result is cut to
// at most n bytes without splitting a character.
func Text(s string, n int) string {
	return head(clean(s), n)
}

// minReasonCut is the least n for which Reason keeps both ends of s: below
// it, Reason keeps the beginning only, as Text does.
const minReasonCut = 64

// Reason returns a failure reason as Text does, except that a reason longer
// than n bytes keeps both its beginning (a third of n) and its end, joined
// by " … ", in at most n bytes, cut between characters (errtext.KeepEnds):
// an error's text names what failed first and its cause last, and a
// sender's long id in the middle must not push the cause out.
func Reason(s string, n int) string {
	s = clean(s)
	if n < minReasonCut {
		return head(s, n)
	}
	return errtext.KeepEnds(s, n)
}

// clean replaces each run of bytes that are not UTF-8, and each character
// ValidText refuses, with U+FFFD.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if validChar(r) {
			return r
		}
		return utf8.RuneError
	}, strings.ToValidUTF8(s, string(utf8.RuneError)))
}

// head returns s cut to at most n bytes without splitting a character;
// nothing for n ≤ 0.
func head(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// validChar reports whether SQS accepts r in text.
func validChar(r rune) bool {
	switch {
	case r == 0x9 || r == 0xA || r == 0xD:
	case r >= 0x20 && r <= 0xD7FF:
	case r >= 0xE000 && r <= 0xFFFD:
	case r >= 0x10000 && r <= 0x10FFFF:
	default:
		return false
	}
	return true
}

// ValidAttributeName applies the SQS rules for message attribute names: 1-256
// letters, digits, '_', '-' and '.', with no leading, trailing or doubled
// period, and no "AWS." or "Amazon." prefix in any case.
func ValidAttributeName(name string) bool {
	if name == "" || len(name) > 256 || strings.HasPrefix(name, ".") ||
		strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
		return false
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
		return false
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.'
		if !ok {
			return false
		}
	}
	return true
}

// ValidFIFOID applies the SQS rules for MessageGroupId and
// MessageDeduplicationId: 1-128 characters from '!' to '~'.
func ValidFIFOID(id string) bool {
	if id == "" || len(id) > MaxFIFOIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '!' || id[i] > '~' {
			return false
		}
	}
	return true
}
