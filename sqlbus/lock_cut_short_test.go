package sqlbus

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A MySQL publish whose GET_LOCK the server cut short (MariaDB answers NULL
// when max_statement_time or KILL QUERY ends the wait) fails saying so,
// not that the lock was not granted within the 30 s it waits for, and
// inserts nothing.
func TestPublishLockCutShortSaysWhatHappened(t *testing.T) {
	f, pub := fakePublisherOn(t, &sqldbtest.DB{Null: []string{"GET_LOCK"}}, sourceflow.MySQL)
	err := publish(context.Background(), pub, "orders")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `lock "sqlbus:orders": the server ended the wait without granting it`)
	assert.NotContains(t, err.Error(), "not granted within")
	sqldbtest.NamesPackageOnce(t, "sqlbus", err)
	assert.Empty(t, f.Ran("INSERT INTO"))
}
