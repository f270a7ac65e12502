package cli

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// sql depth's look for the service's consumer group, failing, fails the
// command with an error that says what it checked, as the errors of the
// counts before it say what they counted, and warns of nothing.
func TestSQLDepthGroupLookupErrorSaysWhatItChecked(t *testing.T) {
	refused := errors.New("permission denied for user ops")
	f := &sqldbtest.DB{}
	f.FailOn("*", refused)
	c := newWarnConn(t, f)
	var errOut bytes.Buffer
	flags := sqlDepthFlags{service: "payments"}
	flags.target.destinations = []string{"payments.fifo"}

	err := warnNoGroup(t.Context(), &errOut, c, flags)

	require.ErrorIs(t, err, refused)
	assert.Regexp(t, `^check that service payments has a consumer group on destination payments\.fifo: `, err.Error())
	assert.Empty(t, errOut.String())
	failure := c.failure("sql depth", err)
	assert.Contains(t, failure.Error(), "sql depth (postgres at db.internal:5432): check that service payments has a consumer group")
}
