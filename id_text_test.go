package sourceflow_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

// A message id reaches a log line bounded, with the characters a terminal
// or a log line would act on escaped; an ordinary id is unchanged.
func TestIDTextBoundsAndEscapesASendersID(t *testing.T) {
	for id, want := range map[string]string{
		"":                                     "",
		"0b5c1f9e-3a4d-4c1e-9f0a-6a7b8c9d0e1f": "0b5c1f9e-3a4d-4c1e-9f0a-6a7b8c9d0e1f",
		"m-1\nlevel=INFO msg=forged":           `m-1\nlevel=INFO msg=forged`,
		"m-1\x1b[2J":                           `m-1\x1b[2J`,
		`m\x1b`:                                `m\\x1b`,
		"m\u202e1":                             `m\u202e1`,
		string([]byte{'m', 0xff}):              `m\xff`,
		strings.Repeat("u", 200_000):           strings.Repeat("u", 256) + "…",
		strings.Repeat("u", 256):               strings.Repeat("u", 256),
		strings.Repeat("ü", 200):               strings.Repeat("ü", 128) + "…",
	} {
		assert.Equal(t, want, sourceflow.IDText(id), "%.40q", id)
	}
}

// A message id a sender chose, as a log line shows it.
func ExampleIDText() {
	fmt.Println(sourceflow.IDText("0b5c1f9e-3a4d-4c1e-9f0a-6a7b8c9d0e1f"))
	fmt.Println(sourceflow.IDText("m-1\nlevel=INFO msg=forged"))
	// Output:
	// 0b5c1f9e-3a4d-4c1e-9f0a-6a7b8c9d0e1f
	// m-1\nlevel=INFO msg=forged
}
