package cli

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// The password of a key=value DSN naming an unreadable client certificate
// is the one pgx connects with, also when a backslash ends the DSN (pgx
// drops it): the messages hide that password.
func TestKeyValueDSNWithUnreadableFilesKeepsItsPassword(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "client.pem")
	dsn := "host=db user=u sslmode=require sslcert=" + missing + " sslkey=" + missing + ` password=secretpw\`
	got, err := parseDSN(dsn, sourceflow.Postgres)
	require.NoError(t, err)
	assert.Contains(t, got.secrets, "secretpw")
	assert.NotContains(t, got.redacted, "secretpw")
}
