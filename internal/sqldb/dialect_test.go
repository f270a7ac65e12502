package sqldb_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

func TestValidWord(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, "orders_2": true, "Orders": true,
		"a-b": false, "a.b": false, "a b": false, `x";`: false, "é": false,
	} {
		assert.Equal(t, want, sqldb.ValidWord(s), "%q", s)
	}
}

func TestValidIdentifier(t *testing.T) {
	for s, want := range map[string]bool{
		"t": true, "_t1": true, "app.sf_": true, strings.Repeat("a", 63): true,
		"": false, "1t": false, "app.": false, "a.b.c": false, "a-b": false,
		strings.Repeat("a", 64): false, "app." + strings.Repeat("a", 64): false,
	} {
		assert.Equal(t, want, sqldb.ValidIdentifier(s), "%q", s)
	}
}
