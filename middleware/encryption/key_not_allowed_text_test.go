package encryption

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestKeyNotAllowedErrorShowsTheHeadersKeyEscapedAndCut(t *testing.T) {
	forged := "arn:aws:kms:eu-west-1:1:key/\x1b[2J\"" + strings.Repeat("k", 2000)
	for _, e := range []*KeyNotAllowedError{
		{KeyID: forged, NotKeyARN: true, KeyIDs: []string{"arn:a"}},
		{KeyID: forged, KeyIDs: []string{"arn:a"}},
	} {
		text := e.Error()
		empty := *e
		empty.KeyID = ""
		assert.Less(t, len(text)-len(empty.Error()), 300, "the sender's key id is cut")
		assert.NotContains(t, text, "\x1b", "the sender's key id is escaped")
		assert.Contains(t, text, `\"`, "the sender's quote cannot end the quoted text")
		assert.Contains(t, text, "("+strconv.Itoa(len(forged))+" bytes)", "the cut says the length")
	}
}
