package sqldb_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// InvalidConfig reports every problem once, after the public package's
// name and not sqldb's, as ErrInvalidConfig, and nothing when every problem is nil.
func TestInvalidConfigJoinsTheProblemsAsErrInvalidConfig(t *testing.T) {
	assert.NoError(t, sqldb.InvalidConfig("sqlbus", nil, nil))
	assert.NoError(t, sqldb.InvalidConfig("sqlbus"))

	unsupported := errors.New("sqlbus: unsupported dialect")
	err := sqldb.InvalidConfig("sqlbus", errors.New("Config.DB is required"), nil, unsupported)
	require.ErrorIs(t, err, sqldb.ErrInvalidConfig)
	require.ErrorIs(t, err, unsupported, "a problem's own sentinel still matches")
	assert.Equal(t, "sqlbus: invalid configuration: Config.DB is required\nsqlbus: unsupported dialect", err.Error())
}
