package dynamostore

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A refused key is shown cut on a character, never inside one: a cut
// inside a valid key's "é" would show a byte (\xc3) that reads as the
// invalid UTF-8 the key does not hold, or hides.
func TestRefusedKeyIsCutOnACharacter(t *testing.T) {
	for key, want := range map[string]string{
		"a" + strings.Repeat("é", MaxKeyLength): `"a` + strings.Repeat("é", 31) + `…" (1 to`,
		strings.Repeat("a", 63) + "é\xff":       `"` + strings.Repeat("a", 63) + `…" is not valid UTF-8`,
		strings.Repeat("a", 62) + "\xff" + "é":  `"` + strings.Repeat("a", 62) + `\xff…" is not valid UTF-8`,
		strings.Repeat("\x80", 100):             `"` + strings.Repeat(`\x80`, 64) + `…" is not valid UTF-8`,
		strings.Repeat("a", 10) + "\xff":        `"` + strings.Repeat("a", 10) + `\xff" is not valid UTF-8`,
	} {
		err := checkKey("entity id", key)

		require.ErrorIs(t, err, ErrInvalidKey)
		assert.Contains(t, err.Error(), "entity id "+want, "%.80q", key)
	}
}
