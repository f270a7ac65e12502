package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A key=value PostgreSQL DSN is shown without its password however pgx
// reads the value: an unquoted one may hold a space escaped with a
// backslash, and sslpassword, the key's passphrase, is hidden too.
func TestSQL_KeyValueDSNIsShownWithoutAnEscapedPassword(t *testing.T) {
	for _, tt := range []struct{ dsn, redacted string }{
		{`host=db.internal user=ops password=s3cr\ et dbname=shop`,
			"host=db.internal user=ops password=xxxxx dbname=shop"},
		{`host=db.internal user=ops password=a\\b\'c\ d dbname=shop`,
			"host=db.internal user=ops password=xxxxx dbname=shop"},
		{`host=db.internal sslpassword=k3y\ 1 user=ops password='s3\' cr' dbname=shop`,
			"host=db.internal sslpassword=xxxxx user=ops password=xxxxx dbname=shop"},
	} {
		t.Run(tt.redacted, func(t *testing.T) {
			redacted, _, err := cli.ParseDSN(tt.dsn, "postgres")
			require.NoError(t, err)
			assert.Equal(t, tt.redacted, redacted)
		})
	}
}

// A driver's message is cleaned of the password as pgx reads it from the
// DSN (escapes undone), not of the first value of a key ending in
// "password".
func TestSQL_KeyValueDSNPasswordIsScrubbedAsPgxReadsIt(t *testing.T) {
	dsn := `host=db sslpassword=k3y user=ops password=hunter\ 22 dbname=x`
	assert.Equal(t, "auth failed with xxxxx", cli.ScrubAs(dsn, "postgres", "auth failed with hunter 22"))
	dsn = `host=db user=ops password='it\'s long' dbname=x`
	assert.Equal(t, "auth failed with xxxxx", cli.ScrubAs(dsn, "postgres", "auth failed with it's long"))
}
