package cqrs_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A service name that is no line of printable text (an escape sequence, a
// line break, a bidirectional override, invalid UTF-8) is refused, naming
// the field, as a topology file's service name is: the name reaches logs,
// router handler names and the topology file the transport writes. The
// error quotes the character escaped, never raw.
func TestNewServiceRefusesANameThatIsNoPrintableLine(t *testing.T) {
	for _, tc := range []struct {
		name, service, want string
	}{
		{"terminal escape", "orders\x1b[2J", `cqrs: ServiceConfig.Name has the control character '\x1b' at byte 6`},
		{"line break", "orders\nforged", `cqrs: ServiceConfig.Name has the control character '\n' at byte 6`},
		{"bidirectional override", "orders\u202Esredro", `cqrs: ServiceConfig.Name has the control character '\u202e' at byte 6`},
		{"invalid UTF-8", "orders\xff", "cqrs: ServiceConfig.Name is not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cqrs.NewService(cqrs.ServiceConfig{Name: tc.service})
			require.Error(t, err)
			assert.ErrorContains(t, err, tc.want)
			assert.NotContains(t, err.Error(), "\x1b")
			assert.NotContains(t, err.Error(), "\u202e")
		})
	}
}

// A service name that starts or ends with white space is refused, naming
// the field: MySQL ignores trailing spaces when it compares text, so the
// consumer groups of "orders" and "orders " would be one.
func TestNewServiceRefusesANameWithWhiteSpaceAtItsEdges(t *testing.T) {
	for _, name := range []string{"orders ", " orders", "orders\u2003", "orders\u00a0"} {
		_, err := cqrs.NewService(cqrs.ServiceConfig{Name: name})
		assert.ErrorContains(t, err, "cqrs: ServiceConfig.Name starts or ends with white space", "%q", name)
	}
}

// A name of any script without control characters is accepted.
func TestNewServiceAcceptsAPrintableNameOfAnyScript(t *testing.T) {
	for _, name := range []string{"orders", "commandes-été", "注文 service", "order service"} {
		_, err := cqrs.NewService(cqrs.ServiceConfig{Name: name})
		assert.NoError(t, err, name)
	}
}
