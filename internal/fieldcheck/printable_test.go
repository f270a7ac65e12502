package fieldcheck_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// PrintableLine accepts text of any script and refuses invalid UTF-8 and
// every control or format character, quoting it escaped.
func TestPrintableLine(t *testing.T) {
	for _, ok := range []string{"", "orders", "commandes-été", "注文 service"} {
		assert.NoError(t, fieldcheck.PrintableLine(ok), ok)
	}
	for v, want := range map[string]string{
		"a\tb":         `has the control character '\t' at byte 1, must be one line of printable text`,
		"a\x7fb":       `has the control character '\x7f' at byte 1`,
		"a\u0085b":     `has the control character '\u0085' at byte 1`,
		"a\u200bb":     `has the control character '\u200b' at byte 1`,
		"a\u2066b":     `has the control character '\u2066' at byte 1`,
		"a\xc3":        "is not valid UTF-8",
		"\xed\xa0\x80": "is not valid UTF-8",
	} {
		err := fieldcheck.PrintableLine(v)
		if assert.Error(t, err, "%q", v) {
			assert.Contains(t, err.Error(), want, "%q", v)
		}
	}
}
