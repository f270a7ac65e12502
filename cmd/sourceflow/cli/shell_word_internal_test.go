package cli

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestShellWord_ReadsBackAsItWas checks that bash reads each word back as
// it was, and that no word shows a character a terminal acts on.
func TestShellWord_ReadsBackAsItWas(t *testing.T) {
	words := []string{"payments", "pay ments", "it's", `a"b`, "$HOME", "`id`", "a\\b", "new\nline", "esc\x1b[2J", "", "-", "naïve"}
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = shellWord(w)
		assert.Equal(t, printable(quoted[i]), quoted[i], "a character a terminal acts on in %q", quoted[i])
	}
	assert.Equal(t, "payments", shellWord("payments"), "a plain word is left as it is")

	out, err := exec.Command("bash", "-c", `printf '%s\0' `+strings.Join(quoted, " ")).Output()

	require.NoError(t, err)
	assert.Equal(t, words, strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00"))
}
