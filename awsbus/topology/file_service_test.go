package topology_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A service name that is no line of printable text (an escape sequence, a
// line break, a bidirectional override) or longer than 255 characters is
// refused when the file is read, naming the field; the error quotes the
// character escaped, never raw.
func TestDecodeFile_RefusesAServiceNameThatIsNoPrintableLine(t *testing.T) {
	for _, tc := range []struct {
		name, service, want string
	}{
		{"terminal escapes", `"billing\e[2J\e]0;pwned\a\nNo changes: all in place"`,
			`service (line 2): has the control character '\x1b' at byte 7`},
		{"line break", `"billing\nNo changes"`, `service (line 2): has the control character '\n' at byte 7`},
		{"bidirectional override", `"billing\u202Egnissecorp"`, `service (line 2): has the control character '\u202e' at byte 7`},
		{"too long", strings.Repeat("é", 256), "service (line 2): is 256 characters, at most 255 allowed"},
		{"trailing white space", `"billing "`, "service (line 2): starts or ends with white space"},
		{"leading white space", `" billing"`, "service (line 2): starts or ends with white space"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := topology.DecodeFile(strings.NewReader(withLine(2, "service: "+tc.service)))
			require.ErrorIs(t, err, topology.ErrInvalidFile)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "\x1b")
			assert.NotContains(t, err.Error(), "\u202e")
		})
	}
}

// The longest service name allowed, 255 characters of any script, is read.
func TestDecodeFile_AcceptsAServiceNameOf255Characters(t *testing.T) {
	f, err := topology.DecodeFile(strings.NewReader(withLine(2, "service: "+strings.Repeat("é", 255))))
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("é", 255), f.Service)
}
